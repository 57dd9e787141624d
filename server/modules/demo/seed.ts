import type { Config } from '../../config.js';
import type { Services } from '../../services.js';

export const DEMO_SLUG = 'acme';

const DEMO_CUSTOMERS = [
  { email: 'alice@example.com', name: 'Alice Martin', external_id: 'user_1001' },
  { email: 'bob@example.com', name: 'Bob Chen', external_id: 'user_1002' },
  { email: 'zoe@example.com', name: 'Zoë Łódź', external_id: 'user_1003' },
];

/**
 * The demo organization and its customers. Idempotent: run on every `npm start`, it adds
 * what is missing and leaves the rest alone. The demo secret key is replaced each time,
 * since a key is only ever shown once.
 */
export async function seedDemo(services: Services, config: Config) {
  const origin = new URL(config.publicUrl).origin;
  let org = await services.organizations.bySlug(DEMO_SLUG).catch(() => undefined);
  if (!org) {
    org = await services.organizations.create({ slug: DEMO_SLUG, name: 'Acme Cloud', allowed_origins: [origin] });
    org = await services.organizations.update(org, { branding: { primary_color: '#4f46e5', logo_url: null } });
  } else if (!org.allowed_origins.includes(origin)) {
    org = await services.organizations.update(org, { allowed_origins: [...org.allowed_origins, origin] });
  }
  for (const customer of DEMO_CUSTOMERS) {
    const existing = await services.customers.findByEmail(org.id, customer.email);
    if (!existing) await services.customers.create(org.id, customer);
  }
  const secretKey = await services.organizations.rotateSecretKey(org.id, 'demo');
  return { slug: org.slug, emails: DEMO_CUSTOMERS.map((c) => c.email), secretKey };
}
