/**
 * Analytic KL(q(z|x) || N(0, I)) per example, in nats (protocol §3), float64 on the host.
 * DGP: ½ Σ_d (μ_d² + e^{ℓ_d} − 1 − ℓ_d).  IGP (one ℓ for all K dims): ½ (‖μ‖² + K e^ℓ − K − K ℓ).
 * @param mean  [B, K] row-major
 * @param logvar [B, K] for `diag`, [B, 1] for `iso`
 * @returns [B] KL values
 */
export function klPerExample(mean: ArrayLike<number>, logvar: ArrayLike<number>, B: number, K: number, posterior: 'iso' | 'diag'): Float64Array {
  const out = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let kl = 0;
    for (let k = 0; k < K; k++) {
      const m = mean[b * K + k]!;
      const l = logvar[posterior === 'diag' ? b * K + k : b]!;
      kl += 0.5 * (m * m + Math.exp(l) - 1 - l);
    }
    out[b] = kl;
  }
  return out;
}
