import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findElement, loadQbxmlSchema } from '../../main/qbxml/schema/load';
import type { ComplexType, ElementSpec, GroupParticle, Particle } from '../../main/qbxml/schema/model';
import { generateQbxmlSchema } from '../../main/qbxml/schema/codegen/generate';
import { QBXML_SCHEMA_DIR } from '../helpers';

const schema = loadQbxmlSchema();

function element(...path: string[]): ElementSpec {
  const found = findElement(schema, path);
  if (!found) throw new Error(`no element ${path.join('/')}`);
  return found;
}

function complex(...path: string[]): ComplexType {
  const type = element(...path).type;
  if (type.kind !== 'complex') throw new Error(`${path.join('/')} is not complex`);
  return type;
}

/** Element names of a content model in order, flattening nested groups. */
function names(p: Particle | undefined): string[] {
  if (!p) return [];
  return p.kind === 'element' ? [p.name] : p.items.flatMap(names);
}

function groups(p: Particle | undefined): GroupParticle[] {
  if (!p || p.kind === 'element') return [];
  return [p, ...p.items.flatMap(groups)];
}

describe('qbXML 16.0 schema model', () => {
  it('is loaded once and shared', () => {
    expect(loadQbxmlSchema()).toBe(schema);
    expect(schema.version).toBe('16.0');
  });

  it('has every request of QBXMLMsgsRq, each with its response', () => {
    expect(schema.requests.size).toBe(261);
    expect(schema.responses.size).toBe(261);
    for (const name of schema.requests.keys()) {
      expect(name).toMatch(/Rq$/);
      expect(schema.responses.has(name.replace(/Rq$/, 'Rs'))).toBe(true);
    }
  });

  it('keeps InvoiceAdd children in schema order with context-specific maxLength', () => {
    const invoiceAdd = complex('InvoiceAddRq', 'InvoiceAdd');
    expect(names(invoiceAdd.content).slice(0, 6)).toEqual([
      'CustomerRef',
      'ClassRef',
      'ARAccountRef',
      'TemplateRef',
      'TxnDate',
      'RefNumber',
    ]);
    expect(element('InvoiceAddRq', 'InvoiceAdd', 'RefNumber').type).toMatchObject({
      kind: 'leaf',
      base: 'STRTYPE',
      maxLength: 11,
    });
    expect(element('InvoiceAddRq', 'InvoiceAdd', 'CustomerRef').min).toBe(1);
    expect(element('InvoiceAddRq', 'InvoiceAdd', 'ClassRef').min).toBe(0);
  });

  it('marks unbounded elements with max Infinity', () => {
    expect(element('InvoiceAddRq', 'IncludeRetElement')).toMatchObject({ min: 0, max: Infinity });
  });

  it('has the query attributes, with enumerations', () => {
    const attributes = complex('InvoiceQueryRq').attributes;
    expect(attributes.map((a) => a.name)).toEqual(['requestID', 'metaData', 'iterator', 'iteratorID']);
    expect(attributes.find((a) => a.name === 'iterator')?.enumValues).toEqual(['Start', 'Continue', 'Stop']);
  });

  it('has the response status attributes', () => {
    const attributes = complex('InvoiceQueryRs').attributes;
    expect(attributes.filter((a) => a.required).map((a) => a.name)).toEqual(['statusCode', 'statusSeverity']);
    expect(attributes.find((a) => a.name === 'statusCode')?.base).toBe('INTTYPE');
    expect(attributes.map((a) => a.name)).toContain('iteratorRemainingCount');
  });

  it('has the QBXMLMsgsRq envelope attributes', () => {
    const onError = schema.msgsRqAttributes.find((a) => a.name === 'onError');
    expect(onError).toMatchObject({
      required: true,
      enumValues: ['continueOnError', 'rollbackOnError', 'stopOnError'],
    });
  });

  it('dates requests and fields from the annotated 14.0 sample', () => {
    // Absent from the 14.0 sample: added in 15.0 or 16.0.
    expect(element('PaycheckQueryRq').since).toBe('15.0');
    expect(element('AlertQueryRq').since).toBe('15.0');
    expect(element('PaycheckQueryRs').since).toBe('15.0');
    // In the sample without a version: available since the early versions.
    expect(element('InvoiceAddRq').since).toBeUndefined();
    expect(element('InvoiceModRq')).toMatchObject({ since: '2.1', notIn: ['QBOE'] });
    expect(element('InvoiceAddRq', 'InvoiceAdd', 'IsFinanceCharge')).toMatchObject({
      since: '8.0',
      notIn: ['QBOE'],
    });
    // A version on "BEGIN OR" applies to each alternative.
    expect(element('InvoiceAddRq', 'InvoiceAdd', 'InvoiceLineAdd', 'LotNumber').since).toBe('11.0');
    // Only the outermost new element is dated; its children come with it.
    const payroll = ['EmployeeAddRq', 'EmployeeAdd', 'EmployeePayrollInfo'];
    expect(element(...payroll, 'PayScheduleRef').since).toBe('15.0');
    expect(element(...payroll, 'PayScheduleRef', 'ListID').since).toBeUndefined();
  });

  it('keeps invoice lines and line groups in one unbounded choice', () => {
    const invoiceRet = complex('InvoiceQueryRs', 'InvoiceRet');
    const lines = groups(invoiceRet.content).find(
      (g) => g.kind === 'choice' && names(g).includes('InvoiceLineRet'),
    );
    expect(lines).toMatchObject({ kind: 'choice', min: 0, max: Infinity });
    expect(names(lines)).toEqual(['InvoiceLineRet', 'InvoiceLineGroupRet']);
    expect(invoiceRet.children.has('InvoiceLineRet')).toBe(true);
    expect(invoiceRet.children.has('InvoiceLineGroupRet')).toBe(true);
  });

  it('types leaves through qbxmltypes160', () => {
    expect(element('InvoiceQueryRs', 'InvoiceRet', 'Subtotal').type).toMatchObject({ base: 'AMTTYPE' });
    expect(element('InvoiceQueryRs', 'InvoiceRet', 'TxnID').type).toMatchObject({
      base: 'IDTYPE',
      maxLength: 36,
    });
    expect(element('InvoiceQueryRs', 'InvoiceRet', 'IsPaid').type).toMatchObject({ base: 'BOOLTYPE' });
  });

  it('has useMacro value elements', () => {
    const type = element('InvoiceAddRq', 'InvoiceAdd', 'SetCredit', 'CreditTxnID').type;
    expect(type).toMatchObject({ kind: 'leaf', base: 'IDTYPE' });
    expect(type.attributes.map((a) => a.name)).toEqual(['useMacro']);
  });

  it('shares identical types between contexts', () => {
    expect(element('InvoiceAddRq', 'InvoiceAdd', 'ClassRef').type).toBe(
      element('SalesReceiptAddRq', 'SalesReceiptAdd', 'ClassRef').type,
    );
  });

  it('lists every element of nested groups in children', () => {
    const query = complex('InvoiceQueryRq');
    expect([...query.children.keys()]).toEqual(names(query.content));
    expect(query.children.has('TxnDateRangeFilter')).toBe(true);
  });
});

const XSD_DIR = QBXML_SCHEMA_DIR;
const ANNOTATED = join(XSD_DIR, 'qbxmlops140-annotated-sample.xml');
const GENERATED = join(__dirname, '../../main/qbxml/schema/generated');

// Intuit's files are not in the repository; CI clones test the committed output only.
describe.skipIf(!existsSync(join(XSD_DIR, 'qbxmlops160.xsd')) || !existsSync(ANNOTATED))(
  'qbXML schema generator',
  () => {
    it('is deterministic and matches the committed output', () => {
      const first = generateQbxmlSchema({ xsdDir: XSD_DIR, annotatedPath: ANNOTATED });
      const second = generateQbxmlSchema({ xsdDir: XSD_DIR, annotatedPath: ANNOTATED });
      expect(second.json).toBe(first.json);
      expect(second.types).toBe(first.types);
      expect(first.json).toBe(readFileSync(join(GENERATED, 'qbxml160.json'), 'utf8'));
      expect(first.types).toBe(readFileSync(join(GENERATED, 'types.ts'), 'utf8'));
      // qbXML (born as a DTD) gives each element name one content model.
      expect(first.warnings).toEqual([]);
    });
  },
);
