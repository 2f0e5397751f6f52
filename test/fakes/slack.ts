import { type HttpFake, type Reply, startHttpFake } from './webhook.js';

/** A fake Slack incoming webhook: plain-text answers, `ok` on success. */
export interface FakeSlack extends HttpFake {
  /** The webhook URL (the path plays the role of Slack's secret token). */
  readonly url: string;
  /** Simulates an archived channel: every valid post gets 410 `channel_is_archived`. */
  archived: boolean;
}

const WEBHOOK_PATH = '/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';

function text(status: number, body: string): Reply {
  return { status, body, contentType: 'text/plain' };
}

/** Slack's documented block limits that a message from us could plausibly hit. */
function blocksError(blocks: unknown): string | null {
  if (!Array.isArray(blocks) || blocks.length > 50) return 'invalid_blocks';
  for (const block of blocks) {
    if (!block || typeof block !== 'object') return 'invalid_blocks';
    const { type, text: blockText, fields, elements } = block as Record<string, unknown>;
    if (typeof type !== 'string') return 'invalid_blocks';
    if (type === 'section') {
      if (blockText === undefined && fields === undefined) return 'invalid_blocks';
      if (blockText !== undefined && !validText(blockText, 3000)) return 'invalid_blocks';
      if (fields !== undefined) {
        if (!Array.isArray(fields) || fields.length > 10) return 'invalid_blocks';
        if (!fields.every((field) => validText(field, 2000))) return 'invalid_blocks';
      }
    } else if (type === 'context') {
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > 10) return 'invalid_blocks';
      if (!elements.every((element) => validText(element, 3000))) return 'invalid_blocks';
    }
  }
  return null;
}

function validText(value: unknown, max: number): boolean {
  if (!value || typeof value !== 'object') return false;
  const { type, text: content } = value as Record<string, unknown>;
  return (
    (type === 'mrkdwn' || type === 'plain_text') &&
    typeof content === 'string' &&
    content.length > 0 &&
    content.length <= max
  );
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const state = { archived: false };
  const fake = await startHttpFake((request) => {
    if (request.method !== 'POST' || request.path !== WEBHOOK_PATH) return text(404, 'no_service');
    const body = request.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return text(400, 'invalid_payload');
    const { text: messageText, blocks } = body as Record<string, unknown>;
    const hasText = typeof messageText === 'string' && messageText.length > 0;
    if (!hasText && blocks === undefined) return text(400, 'invalid_payload');
    if (blocks !== undefined) {
      const error = blocksError(blocks);
      if (error) return text(400, error);
    }
    if (state.archived) return text(410, 'channel_is_archived');
    return text(200, 'ok');
  });
  return Object.defineProperties(Object.assign(fake, { url: `${fake.origin}${WEBHOOK_PATH}` }), {
    archived: {
      get: () => state.archived,
      set: (value: boolean) => {
        state.archived = value;
      },
      enumerable: true,
    },
  }) as FakeSlack;
}
