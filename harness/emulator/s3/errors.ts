/**
 * S3's error responses: a status code and an XML body `<Error><Code/><Message/>…<RequestId/><HostId/></Error>`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). HEAD responses carry no body.
 */

export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra elements S3 adds for some errors (`Region`, `Expires`, `ServerTime`, …). */
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

export function errorXml(e: S3Error, requestId: string, hostId: string, resource?: string): string {
  const extra = Object.entries(e.extra).map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${e.code}</Code><Message>${escapeXml(e.message)}</Message>${extra}${resource ? `<Resource>${escapeXml(resource)}</Resource>` : ''}<RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`;
}

/** An unsigned request to a bucket without a public policy. */
export const ANONYMOUS_DENIED = (): S3Error => new S3Error(403, 'AccessDenied', 'Access Denied');
