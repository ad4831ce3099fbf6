/**
 * The project's error class for domain failures (bad data, bad checkpoint, bad model directory).
 * `code` is stable and machine-readable; `message` names the argument or file, what was wrong and
 * what to do. Wrong argument types raise `TypeError`, out-of-range values `RangeError`.
 */
export class IsovaeError extends Error {
  /** Stable error code, e.g. `E_DATA_FORMAT`, `E_MANIFEST`, `E_CONFIG`. */
  readonly code: IsovaeErrorCode;

  constructor(code: IsovaeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IsovaeError';
    this.code = code;
  }
}

/** Every stable error code the project raises. */
export type IsovaeErrorCode =
  | 'E_CONFIG' // unknown key or bad value in a training / model config
  | 'E_DATA_MISSING' // a data file or directory does not exist
  | 'E_DATA_FORMAT' // a data file exists but a line is malformed (names file and line)
  | 'E_DATA_EMPTY' // a split has no usable rows
  | 'E_VOCAB' // vocabulary file malformed or does not match a model
  | 'E_CHECKPOINT' // checkpoint missing, truncated or inconsistent
  | 'E_MANIFEST' // model manifest missing a field or of an unknown format version
  | 'E_MODEL_FILE' // an .onnx file is missing, truncated, corrupt or fails its sha256
  | 'E_PROVIDER' // execution provider requested in strict mode is unavailable
  | 'E_EXPORT_PARITY' // export-time validation found a mismatch
  | 'E_QUANT_ACCURACY' // a quantized model (int8 / fp16) fails its accuracy contract against fp32
  | 'E_BACKEND' // a tfjs backend could not be loaded
  | 'E_INPUT' // an input text file is missing, unreadable or not valid UTF-8 (names file and line)
  | 'E_OUTPUT' // an output was refused before writing (it is the input, a directory, or cannot be created)
  | 'E_WRITE' // a write, close or rename of an output failed (e.g. ENOSPC); names the file
  | 'E_RUN_EXISTS' // a training run directory already holds a checkpoint (use --resume or --overwrite)
  | 'E_NOT_FINITE' // weights contain NaN or Inf (export refuses them)
  | 'E_INTERNAL'; // an unexpected failure (a bug, or a library error): rerun with --debug for the stack
