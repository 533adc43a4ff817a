/** The exit codes a shell expects after these signals (128 + the signal's number). */
export const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
