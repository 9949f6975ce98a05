// Typed storage errors: each names the path and says what to do about it.

export type StorageErrorCode = 'CORRUPT_DATA_DIR' | 'FOREIGN_DATA_DIR' | 'NOT_A_DIRECTORY' | 'CLOSED' | 'INVALID_WRITE' | 'FULL' | 'DATA_DIR_LOCKED';

export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
