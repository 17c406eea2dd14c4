import * as fs from 'node:fs';
import * as path from 'node:path';
import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { NotFoundError } from '@fleetfm/domain';
import type { FastifyReply } from 'fastify';

const PUBLIC_DIR = path.join(__dirname, 'public');

/** Static files of the dashboard; plotly.js comes from its npm package. */
const ASSETS: Readonly<Record<string, { file: () => string; type: string }>> = {
  'dashboard.js': {
    file: () => path.join(PUBLIC_DIR, 'dashboard.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'plotly.min.js': {
    file: () => require.resolve('plotly.js-dist-min'),
    type: 'text/javascript; charset=utf-8',
  },
};

@ApiExcludeController()
@Controller()
export class DashboardController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  index(): fs.ReadStream {
    return fs.createReadStream(path.join(PUBLIC_DIR, 'index.html'));
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res() reply: FastifyReply): void {
    const asset = Object.prototype.hasOwnProperty.call(ASSETS, name) ? ASSETS[name] : undefined;
    if (asset === undefined) throw new NotFoundError(`no asset ${name}`);
    void reply
      .header('Content-Type', asset.type)
      .header('Cache-Control', 'public, max-age=3600')
      .send(fs.createReadStream(asset.file()));
  }
}
