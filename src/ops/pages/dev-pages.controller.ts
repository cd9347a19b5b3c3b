import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../common/decorators/public.decorator';
import { htmlPage, sendPage, signInForm, STATUS_LINE } from './html';

const DEV_NOTE = '<p class="muted">A development page, served by the API because APP_URL points at it; a real frontend replaces it.</p>';

/**
 * The targets of the links in emails when APP_URL is this API (development):
 * each completes its action through the public API (`POST /api/auth/verify-email`,
 * `POST /api/auth/password/reset`). The token stays in the page's URL, and the
 * pages send no Referer (helmet's Referrer-Policy), so it goes nowhere else.
 */
@ApiExcludeController()
@Public()
@Controller()
export class DevPagesController {
  @Get('verify-email')
  verifyEmail(@Res() res: Response): void {
    const body = `<p>Confirm the email address of your Oktonine account.</p>
<button id="confirm" type="button">Confirm my email address</button>
${STATUS_LINE}
${signInForm(true)}
${DEV_NOTE}`;
    sendPage(res, 200, htmlPage('verify-email', 'Verify your email address', body));
  }

  @Get('reset-password')
  resetPassword(@Res() res: Response): void {
    const body = `<form id="reset">
<label>New password <input name="password" type="password" autocomplete="new-password" minlength="8" required></label>
<label>Repeat it <input name="confirm" type="password" autocomplete="new-password" minlength="8" required></label>
<button type="submit">Set my password</button>
</form>
${STATUS_LINE}
${signInForm(true)}
${DEV_NOTE}`;
    sendPage(res, 200, htmlPage('reset-password', 'Choose a password', body));
  }
}
