/** Writes thumbnails of uploaded media (its storage grants are what the example tests). */
export const handler = async (): Promise<{ ok: true }> => ({ ok: true });
