/** The token of an `Authorization: Bearer <token>` header; `undefined` when absent, `null` when malformed. */
export function bearerToken(header: string | undefined): string | undefined | null {
  if (header === undefined || header === '') return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  return match?.[1] ?? null;
}

/** `WWW-Authenticate` value for a refused token (RFC 6750 §3). */
export function wwwAuthenticate(description: string): string {
  return `Bearer error="invalid_token", error_description="${description.replace(/["\\]/g, '')}"`;
}
