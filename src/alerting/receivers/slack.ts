import type { ReceiverConfig } from '../../config/types.js';
import { formatQuantity } from '../../units/index.js';
import { alertSummary } from '../payload.js';
import type { AlertPayload, DeliveryResult, Receiver } from '../types.js';
import { failureFor, type HttpReceiverOptions, isAnswer, postBody, shorten } from './http.js';

type SlackConfig = Extract<ReceiverConfig, { type: 'slack' }>;

/** Slack answers errors with a bare code; say what it means and what to do. */
const slackErrors: Record<string, string> = {
  invalid_payload: 'Slack could not read the message (malformed JSON or fields)',
  invalid_blocks: 'Slack rejected the message blocks',
  missing_text_or_fallback_or_attachments: 'the message had no text',
  no_text: 'the message had no text',
  user_not_found: 'the webhook points at a user that no longer exists',
  channel_not_found: "the webhook's channel no longer exists",
  channel_is_archived: "the webhook's channel is archived",
  action_prohibited: 'a workspace admin has restricted posting to this channel',
  no_service: 'the webhook is disabled or its URL is wrong',
  no_team: 'the Slack workspace behind the webhook no longer exists',
  team_disabled: 'the Slack workspace behind the webhook is disabled',
  invalid_token: 'the webhook URL is no longer valid (revoked token)',
  posting_to_general_channel_denied: 'only admins may post to this channel',
  rollup_error: 'Slack had an internal error',
};

export function explainSlackError(code: string): string {
  const known = slackErrors[code];
  return known ? `${known} (${code})` : code;
}

/** mrkdwn treats `&`, `<` and `>` as markup: a target such as `< 200ms` must be escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const icons: Record<AlertPayload['event'], string> = {
  trigger: ':rotating_light:',
  reminder: ':bell:',
  resolve: ':white_check_mark:',
};

/** The incoming-webhook body: `text` for notifications, blocks for the message itself. */
export function slackMessage(payload: AlertPayload): { text: string; blocks: unknown[] } {
  const summary = escapeMrkdwn(alertSummary(payload));
  const value = payload.value === null ? 'no data' : formatQuantity(payload.value, payload.unit);
  const field = (label: string, text: string) => ({
    type: 'mrkdwn',
    text: clip(`*${label}*\n${escapeMrkdwn(text)}`, 2000),
  });
  const fields = [
    field('Value', value),
    field('Target', payload.target),
    field('Severity', payload.severity),
    field('Service', payload.service),
    field('Provider', payload.provider),
    field(payload.status === 'resolved' ? 'Resolved' : 'Since', payload.ended_at ?? payload.started_at),
  ];
  const blocks: unknown[] = [
    { type: 'section', text: { type: 'mrkdwn', text: clip(`${icons[payload.event]} *${summary}*`, 3000) } },
    { type: 'section', fields },
  ];
  const context = [payload.reason, `Query: \`${payload.query.replace(/`/g, "'")}\``].map((text) => ({
    type: 'mrkdwn',
    text: clip(escapeMrkdwn(text), 2000),
  }));
  blocks.push({ type: 'context', elements: context });
  const links = [
    payload.links.status_page ? `<${payload.links.status_page}|Status page>` : null,
    payload.links.report ? `<${payload.links.report}|Report>` : null,
  ].filter((link): link is string => link !== null);
  if (links.length > 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: links.join('  ·  ') } });
  return { text: clip(summary, 3000), blocks };
}

/** Slack incoming webhook: success is HTTP 200 with the body `ok`. */
export function createSlackReceiver(cfg: SlackConfig, options: HttpReceiverOptions = {}): Receiver {
  return {
    name: cfg.name,
    type: 'slack',
    async deliver(payload: AlertPayload, signal?: AbortSignal): Promise<DeliveryResult> {
      const body = JSON.stringify(slackMessage(payload));
      const answer = await postBody(cfg.url, body, { 'content-type': 'application/json' }, options, signal);
      if (!isAnswer(answer)) return answer;
      const code = shorten(answer.body, options.redact);
      if (answer.status === 200 && code === 'ok') return { ok: true, detail: 'ok' };
      if (answer.status === 200) {
        return {
          ok: false,
          permanent: false,
          error: `unexpected answer from Slack: ${code || 'empty body'}`,
        };
      }
      return failureFor(answer, code ? explainSlackError(code) : 'no body');
    },
  };
}
