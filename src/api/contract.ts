// The wire schemas the widget checks answers against (src/schemas, zod/mini), loaded lazily
// (in the views chunk, see vite.config.ts). zod is the largest library in the widget and
// nothing needs it before the first answer arrives, so `loadContract()` starts together with
// the first request and costs no extra round trip, while the entry stays within its budget.
export { sessionResponse } from '../schemas/auth.js';
export { emailAddress, errorBody } from '../schemas/common.js';
export { customer, me } from '../schemas/customer.js';
export { portalBenefit, portalBenefitList, portalSeatList } from '../schemas/benefits.js';
export { hostedSession, meWithPaymentMethods, paymentMethodList } from '../schemas/payments.js';
export { usageList } from '../schemas/usage.js';
export { wallet, walletTransactionPage } from '../schemas/wallet.js';
export { publicOrganization } from '../schemas/organization.js';
export {
  cancelResult,
  changePreview,
  changeResult,
  order,
  orderPage,
  overview,
  subscription,
  subscriptionDetail,
  subscriptionPage,
} from '../schemas/billing.js';
