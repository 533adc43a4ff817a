/** What `authmatrix run` tells its test worker in the environment (drive.ts sets it, session.ts reads it). */
export const RUN_FILE_ENV = 'AUTHMATRIX_RUN_FILE';
export const BROKER_URL_ENV = 'AUTHMATRIX_BROKER_URL';
export const BROKER_SECRET_ENV = 'AUTHMATRIX_BROKER_SECRET';
