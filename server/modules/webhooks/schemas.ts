import { z } from 'zod';
import { webhookEventTypes } from './events.js';

/** Plain http is accepted only for the merchant's own machine (local development). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export const endpointUrl = z
  .url({ protocol: /^https?$/, error: 'expected a URL like https://example.com/webhooks' })
  .max(2048)
  .superRefine((value, ctx) => {
    // zod runs this even when the URL check above failed.
    if (!URL.canParse(value)) return;
    const url = new URL(value);
    if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
      ctx.addIssue({ code: 'custom', message: 'use an https:// URL (http:// is accepted only for localhost and 127.0.0.1)' });
    }
  });

const eventList = z
  .array(z.enum(webhookEventTypes))
  .min(1, 'subscribe to at least one event type')
  .max(100)
  .transform((types) => [...new Set(types)]);

export const endpointCreate = z.object({
  url: endpointUrl,
  events: eventList,
  enabled: z.boolean().optional(),
});
export type EndpointCreate = z.infer<typeof endpointCreate>;

export const endpointUpdate = z.object({
  url: endpointUrl.optional(),
  events: eventList.optional(),
  enabled: z.boolean().optional(),
});
export type EndpointUpdate = z.infer<typeof endpointUpdate>;
