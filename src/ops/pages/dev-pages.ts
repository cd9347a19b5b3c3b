import { EnvConfig } from '../../config/env';

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Whether APP_URL, the base of the links in emails, is this API itself (the
 * default `http://localhost:3000`): then nothing else serves `/verify-email` and
 * `/reset-password`, and the API does, so a newcomer can follow the links.
 */
export function appUrlIsThisApi(appUrl: string, port: number): boolean {
  const url = new URL(appUrl);
  const urlPort = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return LOOPBACK_HOSTS.includes(url.hostname) && urlPort === port && (url.pathname === '/' || url.pathname === '');
}

/** `/verify-email` and `/reset-password`: in development, when APP_URL is this API. */
export function devPagesEnabled(env: Pick<EnvConfig, 'nodeEnv' | 'appUrl' | 'port'>): boolean {
  return env.nodeEnv !== 'production' && appUrlIsThisApi(env.appUrl, env.port);
}

/** `/dev/mail`: the embedded default only (mail written to MAIL_DIR, not production). */
export function devMailEnabled(env: Pick<EnvConfig, 'nodeEnv' | 'smtpUrl'>): boolean {
  return env.nodeEnv !== 'production' && !env.smtpUrl;
}

/** `/dev/mail` shows live links (tokens): only to a browser on this machine. */
export function isLoopbackAddress(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

/**
 * A request from a browser on this machine, as `/dev/mail` requires: the socket
 * is loopback, the Host header names a loopback host (a DNS-rebinding page on
 * another site would send its own name) and no proxy forwarded it (a reverse
 * proxy on this machine would make every remote client look local).
 */
export function isLocalRequest(req: { socket: { remoteAddress?: string }; headers: Record<string, string | string[] | undefined> }): boolean {
  if (!isLoopbackAddress(req.socket.remoteAddress)) return false;
  if (req.headers['x-forwarded-for'] !== undefined || req.headers['forwarded'] !== undefined) return false;
  const host = req.headers.host;
  if (typeof host !== 'string') return false;
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return LOOPBACK_HOSTS.includes(hostname.toLowerCase());
}
