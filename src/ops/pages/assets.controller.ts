import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Public } from '../../common/decorators/public.decorator';

const ASSETS = join(__dirname, 'assets');

/** The one script and stylesheet of the pages the API serves (no inline code: see PAGE_CSP). */
@ApiExcludeController()
@Public()
@Controller('assets')
export class AssetsController {
  private readonly script = readFileSync(join(ASSETS, 'pages.js'), 'utf8');
  private readonly style = readFileSync(join(ASSETS, 'pages.css'), 'utf8');

  @Get('pages.js')
  pagesScript(@Res() res: Response): void {
    res.type('application/javascript').setHeader('Cache-Control', 'no-cache').send(this.script);
  }

  @Get('pages.css')
  pagesStyle(@Res() res: Response): void {
    res.type('text/css').setHeader('Cache-Control', 'no-cache').send(this.style);
  }
}
