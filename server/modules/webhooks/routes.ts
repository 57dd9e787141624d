import { merchantRouter } from '../../http.js';
import type { Services } from '../../services.js';

// STUB: /v1/webhook-endpoints (create, list, get, update, delete, deliveries log).
export function merchantWebhookRoutes(services: Services) {
  return merchantRouter(services);
}
