import { CARD_ROOT, type FileShare } from '../file-share.js';
import { BadField, SUCCESS, need, oneOf, type SetContext, type SetDef } from './set-def.js';

// goform-api.md §4.8 HTTPSHARE_*: file sharing on the router's card. ShareErrors become their `result`.

function share(ctx: SetContext): FileShare {
  if (!ctx.share || !ctx.state.share.enabled) throw new BadField('file sharing is off', 'no_sdcard');
  return ctx.share;
}

export const shareSets: Record<string, SetDef> = {
  HTTPSHARE_MODE_SET: {
    handle(ctx) {
      const mode = oneOf(ctx, 'mode_set', ['http_share_mode', 'usb_mode']);
      ctx.device.settings.setShare({ mode });
      return SUCCESS;
    },
  },
  HTTPSHARE_AUTH_SET: {
    handle(ctx) {
      const status = oneOf(ctx, 'HTTP_SHARE_STATUS', ['Enabled', 'Disabled']);
      const access = ctx.fields.HTTP_SHARE_WR_AUTH === undefined ? undefined : oneOf(ctx, 'HTTP_SHARE_WR_AUTH', ['readWrite', 'readOnly']);
      const path = ctx.fields.HTTP_SHARE_FILE;
      if (path !== undefined && !(path === CARD_ROOT || path.startsWith(`${CARD_ROOT}/`))) {
        throw new BadField(`HTTP_SHARE_FILE=${path} is not under ${CARD_ROOT}`);
      }
      ctx.device.settings.setShare({ enabled: status === 'Enabled', ...(access ? { access } : {}), ...(path ? { sharedPath: path } : {}) });
      return SUCCESS;
    },
  },
  HTTPSHARE_ENTERFOLD: {
    handle(ctx) {
      const path = need(ctx, 'path_SD_CARD');
      const page = Number(ctx.fields.indexPage ?? '1');
      if (!Number.isInteger(page) || page < 1) throw new BadField('indexPage must be a page number from 1');
      return { result: share(ctx).list(path, page) };
    },
  },
  HTTPSHARE_NEW: {
    handle(ctx) {
      const full = need(ctx, 'path_SD_CARD');
      const cut = full.lastIndexOf('/');
      share(ctx).mkdir(full.slice(0, cut), full.slice(cut + 1));
      return SUCCESS;
    },
  },
  HTTPSHARE_DEL: {
    handle(ctx) {
      const names = need(ctx, 'name_SD_CARD').split('*').filter((n) => n !== '');
      if (names.length === 0) throw new BadField('name_SD_CARD is empty');
      share(ctx).remove(need(ctx, 'path_SD_CARD'), names);
      return SUCCESS;
    },
  },
  HTTPSHARE_FILE_RENAME: {
    handle(ctx) {
      share(ctx).rename(need(ctx, 'OLD_NAME_SD_CARD'), need(ctx, 'NEW_NAME_SD_CARD'));
      return SUCCESS;
    },
  },
  GOFORM_HTTPSHARE_CHECK_FILE: {
    handle(ctx) {
      const path = need(ctx, 'path_SD_CARD');
      const cut = path.lastIndexOf('/');
      const listing = share(ctx).list(path.slice(0, cut) || CARD_ROOT, 1, Number.MAX_SAFE_INTEGER);
      const exists = listing.fileInfo.some((f) => f.fileName === path.slice(cut + 1));
      return { result: exists ? 'exist' : 'noexist' };
    },
  },
};
