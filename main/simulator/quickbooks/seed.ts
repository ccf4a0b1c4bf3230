/**
 * A new company file: the accounts, sales tax codes, templates and terms QuickBooks
 * creates itself (ListIDs like its built-ins, "10000-…", "20000-…"), and optionally a
 * few customers and items in the spirit of Intuit's "Rock Castle Construction" sample,
 * added through ordinary qbXML so they obey the same rules as anything a client adds.
 */
import { iso } from './context';
import { hexId, newCounters } from './ids';
import type { CompanyState, RefListRecord } from './types';

const REF_LISTS: Omit<RefListRecord, 'ListID' | 'TimeCreated'>[] = [
  { kind: 'Account', Name: 'Accounts Receivable', AccountType: 'AccountsReceivable' },
  { kind: 'Account', Name: 'Inventory Asset', AccountType: 'OtherCurrentAsset' },
  { kind: 'Account', Name: 'Construction Income', AccountType: 'Income' },
  { kind: 'Account', Name: 'Materials Income', AccountType: 'Income' },
  { kind: 'Account', Name: 'Cost of Goods Sold', AccountType: 'CostOfGoodsSold' },
  { kind: 'Account', Name: 'Job Expenses', AccountType: 'Expense' },
  { kind: 'SalesTaxCode', Name: 'Tax' },
  { kind: 'SalesTaxCode', Name: 'Non' },
  { kind: 'Template', Name: 'Intuit Service Invoice' },
  { kind: 'Template', Name: 'Intuit Product Invoice' },
  { kind: 'StandardTerms', Name: 'Due on receipt', StdDueDays: 0 },
  { kind: 'StandardTerms', Name: 'Net 30', StdDueDays: 30 },
];

export function newCompany(companyName: string, companyFile: string, now: number): CompanyState {
  return {
    format: 'qbwc-companion/simulated-company',
    version: 1,
    companyName,
    companyFile,
    counters: newCounters(),
    appData: [],
    customers: [],
    items: [],
    invoices: [],
    refLists: REF_LISTS.map((r, i) => ({ ...r, ListID: hexId((i + 1) * 0x10000, now), TimeCreated: iso(now) })),
    deleted: [],
  };
}

const ref = (name: string, fullName: string): string => `<${name}><FullName>${fullName}</FullName></${name}>`;

/** Sample customers (one with a job) and one item of each supported type. */
export const SEED_REQUEST = `<?xml version="1.0" encoding="utf-8"?>
<?qbxml version="16.0"?>
<QBXML>
<QBXMLMsgsRq onError="stopOnError">
<CustomerAddRq><CustomerAdd><Name>Abercrombie, Kristy</Name><FirstName>Kristy</FirstName><LastName>Abercrombie</LastName>
<BillAddress><Addr1>Kristy Abercrombie</Addr1><Addr2>5647 Cypress Hill Rd</Addr2><City>Bayshore</City><State>CA</State><PostalCode>94326</PostalCode></BillAddress>
<Phone>415-555-6579</Phone><Email>kristy@samplename.com</Email>${ref('TermsRef', 'Net 30')}</CustomerAdd></CustomerAddRq>
<CustomerAddRq><CustomerAdd><Name>Remodel Bathroom</Name>${ref('ParentRef', 'Abercrombie, Kristy')}</CustomerAdd></CustomerAddRq>
<CustomerAddRq><CustomerAdd><Name>Cook, Brian</Name><FirstName>Brian</FirstName><LastName>Cook</LastName>
<BillAddress><Addr1>Brian Cook</Addr1><Addr2>1829 Willow Ln</Addr2><City>Middlefield</City><State>CA</State><PostalCode>94482</PostalCode></BillAddress>
<Phone>415-555-0981</Phone></CustomerAdd></CustomerAddRq>
<CustomerAddRq><CustomerAdd><Name>Jacobsen, Doug</Name><FirstName>Doug</FirstName><LastName>Jacobsen</LastName></CustomerAdd></CustomerAddRq>
<ItemServiceAddRq><ItemServiceAdd><Name>Installation</Name>${ref('SalesTaxCodeRef', 'Non')}
<SalesOrPurchase><Desc>Installation labor</Desc><Price>35.00</Price>${ref('AccountRef', 'Construction Income')}</SalesOrPurchase></ItemServiceAdd></ItemServiceAddRq>
<ItemNonInventoryAddRq><ItemNonInventoryAdd><Name>Permit Fee</Name>${ref('SalesTaxCodeRef', 'Non')}
<SalesOrPurchase><Desc>Building permit fee</Desc><Price>150.00</Price>${ref('AccountRef', 'Materials Income')}</SalesOrPurchase></ItemNonInventoryAdd></ItemNonInventoryAddRq>
<ItemInventoryAddRq><ItemInventoryAdd><Name>Cabinet Pulls</Name>${ref('SalesTaxCodeRef', 'Tax')}
<SalesDesc>Cabinet Pulls</SalesDesc><SalesPrice>4.50</SalesPrice>${ref('IncomeAccountRef', 'Materials Income')}
<PurchaseDesc>Cabinet Pulls</PurchaseDesc><PurchaseCost>3.00</PurchaseCost>${ref('COGSAccountRef', 'Cost of Goods Sold')}
${ref('AssetAccountRef', 'Inventory Asset')}<QuantityOnHand>423</QuantityOnHand></ItemInventoryAdd></ItemInventoryAddRq>
</QBXMLMsgsRq>
</QBXML>`;
