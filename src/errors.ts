/** An error the user can cause and fix: the CLI prints its message without a stack trace. */
export class VisionlabError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(hint ? `${message}\n${hint}` : message);
    this.name = 'VisionlabError';
  }
}
