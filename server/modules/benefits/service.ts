// Benefits, composed from their parts (each file has one reason to change):
//   context.ts   dependencies, the repository, reading a benefit or a customer's grant
//   merchant.ts  the merchant's benefits and the products they are attached to
//   files.ts     files of download benefits: storage, signed links, upload, removal, download
//   grants.ts    grants reconciled with entitlements, their lists, the customer's key actions
//   keys.ts      making and sealing license keys and API keys
//   licenses.ts  checking license keys (validate, activate, deactivate) and API keys
//   views.ts     what the merchant and the portal see
import { benefitContext, type BenefitDeps } from './context.js';
import { benefitFiles } from './files.js';
import { grantService } from './grants.js';
import { benefitKeys } from './keys.js';
import { licenseService } from './licenses.js';
import { merchantBenefits } from './merchant.js';

export function benefitService(deps: BenefitDeps) {
  const ctx = benefitContext(deps);
  const files = benefitFiles(ctx);
  const grants = grantService(ctx, benefitKeys(deps.config.secret), files);
  const merchant = merchantBenefits(ctx, grants, files);
  const { upload, removeFile, download } = files;
  const { syncCustomer, listGrants, portalList, portalViews, portalGrantsQuery, rotate, reveal } = grants;
  return {
    ...merchant,
    upload,
    removeFile,
    download,
    syncCustomer,
    listGrants,
    portalList,
    portalViews,
    portalGrantsQuery,
    rotate,
    reveal,
    ...licenseService(ctx),
  };
}
export type BenefitService = ReturnType<typeof benefitService>;
