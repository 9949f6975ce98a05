// Errors of the node's configuration and start-up: each says what is wrong and how to fix it.
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
