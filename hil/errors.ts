// BenchError and its codes: a leaf module importable from everywhere (emulator, hil, scenarios, cli).
// It must not import anything from the project.

export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'CONFIG_INVALID'
  | 'TRANSPORT_OPEN_FAILED'
  | 'TRANSPORT_CLOSED'
  | 'TRANSPORT_BUSY'
  | 'TRANSPORT_TIMEOUT'
  | 'AT_ERROR'
  | 'AT_CME_ERROR'
  | 'AT_TIMEOUT'
  | 'HTTP_STATUS'
  | 'HTTP_AUTH_FAILED'
  | 'CAPABILITY_MISSING'
  | 'TARGET_BROKEN'
  | 'SCENARIO_STEP_FAILED'
  | 'EMULATOR_UNHANDLED_REQUEST'
  | 'EMULATOR_BAD_REQUEST'
  | 'CLOCK_MODE';

export class BenchError extends Error {
  override readonly name = 'BenchError';
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options?.details) this.details = options.details;
  }
}

export function isBenchError(value: unknown, code?: ErrorCode): value is BenchError {
  return value instanceof BenchError && (code === undefined || value.code === code);
}
