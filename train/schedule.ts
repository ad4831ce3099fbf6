/**
 * C warm-up of the paper's code (protocol §3): the global step counter starts at 1 for the first batch;
 * while C > 0 and step <= cSteps, C_t = C·step/cSteps, afterwards C_t = C. Validation always uses C.
 */
export function targetKl(c: number, step: number, cSteps: number): number {
  if (c > 0 && cSteps > 0 && step <= cSteps) return (c * step) / cSteps;
  return c;
}

/** Optional KL annealing (paper footnote 3): β_t = β·min(1, step/annealSteps); annealSteps = 0 turns it off. */
export function annealedBeta(beta: number, step: number, annealSteps: number): number {
  if (annealSteps <= 0) return beta;
  return beta * Math.min(1, step / annealSteps);
}
