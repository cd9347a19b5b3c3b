import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AuditService } from '../../audit/audit.service';
import { DASHBOARD_SESSION_TTL_SECONDS } from '../../auth/auth.constants';
import { AuthUser } from '../../auth/auth.types';
import { TokensService } from '../../auth/tokens.service';
import { User } from '../../users/entities/user.entity';
import { UsersService } from '../../users/users.service';
import { escapeHtml, htmlPage, sendPage } from '../pages/html';
import { boardAction } from './board-actions';

export const DASHBOARD_PATH = '/admin/queues';
export const DASHBOARD_COOKIE = 'okt_dashboard';
/** The cookie goes only to the dashboard's pages and their API, never to /api. */
const COOKIE_PATH = '/admin';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function cookieValue(req: Request, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return null;
}

/** A write must come from the dashboard's own pages: SameSite=Strict already says so, this says it again. */
function sameOrigin(req: Request): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site && site !== 'same-origin') return false;
  const origin = req.headers.origin;
  return !origin || origin === `${req.protocol}://${req.get('host')}`;
}

function refuse(req: Request, res: Response, status: number, code: string, message: string): void {
  if (req.method === 'GET' && req.accepts(['json', 'html']) === 'html') {
    const body = `<p>${escapeHtml(message)}</p><p><a href="/admin/sign-in">Sign in with another account</a></p>`;
    sendPage(res, status, htmlPage('dashboard-refused', 'Queue dashboard', body));
    return;
  }
  res.status(status).json({ statusCode: status, code, message });
}

/**
 * The way into the queue dashboard. A browser sends no bearer token, so staff
 * exchange theirs (`POST /api/admin/dashboard/session`) for a short-lived cookie:
 * HttpOnly (no script reads it), SameSite=Strict (no other site's page makes the
 * browser send it), scoped to /admin (never sent to the API), Secure over HTTPS.
 * Every dashboard request then checks it and reads the account again, so a
 * demoted staff member or a changed password ends the session at once. Writes
 * are limited to retrying, removing and promoting jobs and pausing queues, and
 * each is audited.
 */
@Injectable()
export class DashboardAccess {
  constructor(
    private readonly tokens: TokensService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  /** Sets the session cookie for a staff member (the route's @Auth has checked they are). */
  async open(caller: AuthUser, req: Request, res: Response): Promise<void> {
    const user = await this.users.findById(caller.id);
    if (!user) return;
    const token = await this.tokens.issueDashboardSession(user);
    res.cookie(DASHBOARD_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: COOKIE_PATH,
      maxAge: DASHBOARD_SESSION_TTL_SECONDS * 1000,
    });
    await this.audit.record({ action: 'ops.dashboard_session_opened', actorId: user.id, targetType: 'user', targetId: user.id, ip: req.ip ?? null });
  }

  close(res: Response): void {
    res.clearCookie(DASHBOARD_COOKIE, { httpOnly: true, sameSite: 'strict', path: COOKIE_PATH });
  }

  /** Express middleware in front of everything under /admin/queues. */
  middleware(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      this.admit(req, res).then((admitted) => (admitted ? next() : undefined), next);
    };
  }

  private async admit(req: Request, res: Response): Promise<boolean> {
    const user = await this.sessionUser(req);
    if (!user) {
      if (req.method === 'GET' && req.accepts(['json', 'html']) === 'html') {
        res.redirect(303, `/admin/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
      } else {
        res.status(401).json({ statusCode: 401, code: 'DASHBOARD_SESSION_REQUIRED', message: 'Sign in at /admin/sign-in to open the queue dashboard' });
      }
      return false;
    }
    if (!user.isStaff) {
      refuse(req, res, 403, 'FORBIDDEN', 'Only platform staff can open the queue dashboard.');
      return false;
    }
    if (SAFE_METHODS.has(req.method)) return true;
    if (!sameOrigin(req)) {
      refuse(req, res, 403, 'CROSS_SITE_REQUEST', 'Dashboard actions must come from the dashboard itself');
      return false;
    }
    const action = boardAction(req.method, req.originalUrl.slice(DASHBOARD_PATH.length));
    if (!action) {
      refuse(req, res, 403, 'FORBIDDEN', 'This dashboard action is not allowed: only retrying, removing and promoting jobs and pausing queues are');
      return false;
    }
    res.once('finish', () => {
      if (res.statusCode >= 400) return;
      const { action: name, ...details } = action;
      void this.audit.record({ action: name, actorId: user.id, targetType: 'queue', ip: req.ip ?? null, details: { ...details } });
    });
    return true;
  }

  private async sessionUser(req: Request): Promise<User | null> {
    const raw = cookieValue(req, DASHBOARD_COOKIE);
    const session = raw ? await this.tokens.verifyDashboardSession(raw) : null;
    if (!session) return null;
    const user = await this.users.findById(session.userId);
    return user && user.tokenVersion === session.tokenVersion ? user : null;
  }
}
