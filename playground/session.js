/**
 * The playground session in a URL: the inputs of a fit (the table text when small, columns, model,
 * p0, backend) as JSON in the fragment (`#s=` + base64url of the UTF-8 text), so that a link
 * restores the page. The fragment never reaches a server.
 */

/** Tables above this many characters are left out of the link (the page says so). */
export const INLINE_TABLE_MAX = 20_000;

const PREFIX = '#s=';

function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/**
 * @param {{ data?: string, sample?: string, x: string, y: string, sigma: string, model: string, expression: string, p0Auto: boolean, p0: Record<string, string>, backend: string }} state
 * @returns {string} the fragment, `#s=…`.
 */
export function encodeSession(state) {
  return PREFIX + toBase64Url(JSON.stringify({ v: 1, ...state }));
}

/**
 * @param {string} hash - `location.hash`.
 * @returns the state, or null when the hash holds no session.
 * @throws Error when the fragment is a session that cannot be read.
 */
export function decodeSession(hash) {
  if (!hash.startsWith(PREFIX)) return null;
  let state;
  try {
    state = JSON.parse(fromBase64Url(hash.slice(PREFIX.length)));
  } catch (error) {
    throw new Error(`the link's session cannot be read (${error.message})`);
  }
  if (state === null || typeof state !== 'object' || state.v !== 1) throw new Error('the link holds a session of another version');
  return state;
}
