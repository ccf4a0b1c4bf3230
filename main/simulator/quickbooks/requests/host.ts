/**
 * HostQuery, CompanyQuery and PreferencesQuery: what QBWC asks on every session and
 * passes to the first sendRequestXML as strHCPResponse. Shapes follow the real QuickBooks
 * Pro 2014 HCP (shared/reference/qbwc/samples/hcp_strHCPResponse_QuickBooksPro2014).
 */
import { type XmlElement, child } from '../../../xml/tree';
import { type Ctx, type Outcome, fail, values } from '../context';
import { type XNode, leaf, leaves, node } from '../render';
import { OK, notImplemented } from '../status';

/** GUIDs compare without regard to case or braces ("{ABC…}" and "abc…" are one owner). */
export const sameGuid = (a: string, b: string): boolean =>
  a.trim().replace(/^\{|\}$/g, '').toLowerCase() === b.trim().replace(/^\{|\}$/g, '').toLowerCase();

export function hostQuery(rq: XmlElement, ctx: Ctx): Outcome {
  if (child(rq, 'IncludeListMetaData')) return fail(notImplemented('IncludeListMetaData'));
  const h = ctx.host;
  const ret = node('HostRet', [
    ...leaves({ ProductName: h.productName, MajorVersion: h.majorVersion, MinorVersion: '0', Country: h.country }),
    ...h.supportedVersions.map((v) => leaf('SupportedQBXMLVersion', v)),
    ...leaves({ IsAutomaticLogin: 'false', QBFileMode: 'SingleUser' }),
  ]);
  return { status: OK, rets: [ret] };
}

const ADDRESS = { Addr1: '1735 County Road', City: 'Bayshore', State: 'CA', PostalCode: '94326', Country: 'US' };

export function companyQuery(rq: XmlElement, ctx: Ctx): Outcome {
  const s = ctx.state;
  // Data extensions come back only for the OwnerIDs asked for; QBWC asks for its own.
  const extensions = s.appData
    .filter((a) => values(rq, 'OwnerID').some((o) => sameGuid(o, a.ownerId)))
    .flatMap((a) => [dataExt(a.ownerId, 'AppLock', a.appLock), dataExt(a.ownerId, 'FileID', a.fileId)]);
  const ret = node('CompanyRet', [
    leaf('IsSampleCompany', 'false'),
    ...leaves({ CompanyName: s.companyName, LegalCompanyName: s.companyName }),
    node('Address', leaves(ADDRESS)),
    node('AddressBlock', leaves({ Addr1: ADDRESS.Addr1, Addr2: `${ADDRESS.City}, ${ADDRESS.State} ${ADDRESS.PostalCode}` })),
    node('LegalAddress', leaves(ADDRESS)),
    ...leaves({
      Phone: '650-555-1234',
      Email: 'rockcastle@example.com',
      FirstMonthFiscalYear: 'January',
      FirstMonthIncomeTaxYear: 'January',
      CompanyType: 'ConstructionGeneralContractor',
      EIN: '00-7904153',
      TaxForm: 'Form1120',
    }),
    node('AccountantCopy', [leaf('AccountantCopyExists', 'false')]),
    ...extensions,
  ]);
  return { status: OK, rets: [ret] };
}

const dataExt = (ownerId: string, name: string, value: string): XNode =>
  node('DataExtRet', leaves({ OwnerID: ownerId, DataExtName: name, DataExtType: 'STR255TYPE', DataExtValue: value }));

const bools = (entries: Record<string, boolean>): XNode[] => Object.entries(entries).map(([k, v]) => leaf(k, String(v)));

export function preferencesQuery(): Outcome {
  const ret = node('PreferencesRet', [
    node('AccountingPreferences', bools({ IsUsingAccountNumbers: false, IsRequiringAccounts: true, IsUsingClassTracking: false, IsUsingAuditTrail: true, IsAssigningJournalEntryNumbers: true })),
    node('FinanceChargePreferences', [
      ...leaves({ AnnualInterestRate: '0.00', MinFinanceCharge: '0.00', GracePeriod: '0' }),
      ...bools({ IsAssessingForOverdueCharges: false }),
      leaf('CalculateChargesFrom', 'DueDate'),
      ...bools({ IsMarkedToBePrinted: false }),
    ]),
    node('JobsAndEstimatesPreferences', bools({ IsUsingEstimates: true, IsUsingProgressInvoicing: false, IsPrintingItemsWithZeroAmounts: false })),
    node('MultiCurrencyPreferences', bools({ IsMultiCurrencyOn: false })),
    node('MultiLocationInventoryPreferences', bools({ IsMultiLocationInventoryAvailable: false, IsMultiLocationInventoryEnabled: false })),
    node('PurchasesAndVendorsPreferences', [leaf('IsUsingInventory', 'true'), leaf('DaysBillsAreDue', '10'), leaf('IsAutomaticallyUsingDiscounts', 'false')]),
    node('ReportsPreferences', leaves({ AgingReportBasis: 'AgeFromDueDate', SummaryReportBasis: 'Accrual' })),
    node('SalesAndCustomersPreferences', [
      ...bools({ IsTrackingReimbursedExpensesAsIncome: false, IsAutoApplyingPayments: true }),
      node('PriceLevels', bools({ IsUsingPriceLevels: false, IsRoundingSalesPriceUp: true })),
    ]),
    node('TimeTrackingPreferences', [leaf('FirstDayOfWeek', 'Monday')]),
    node('CurrentAppAccessRights', bools({ IsAutomaticLoginAllowed: false, IsPersonalDataAccessAllowed: false })),
    node('ItemsAndInventoryPreferences', [
      leaf('EnhancedInventoryReceivingEnabled', 'false'),
      leaf('IsTrackingSerialOrLotNumber', 'None'),
      ...bools({ FIFOEnabled: false, IsRSBEnabled: false, IsBarcodeEnabled: false }),
    ]),
  ]);
  return { status: OK, rets: [ret] };
}
