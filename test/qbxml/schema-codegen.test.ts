/**
 * The generator on a small hand-written XSD and annotated sample shaped like Intuit's,
 * so its rules are tested where Intuit's files are not available (CI).
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAnnotations } from '../../main/qbxml/schema/codegen/annotations';
import { generateQbxmlSchema, type GeneratedSchema } from '../../main/qbxml/schema/codegen/generate';
import { buildSchema, findElement, type LoadedQbxmlSchema } from '../../main/qbxml/schema/load';

const TYPES_XSD = `<?xml version="1.0"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <xsd:simpleType name="IDTYPE"><xsd:restriction base="xsd:string"><xsd:maxLength value="36"/></xsd:restriction></xsd:simpleType>
  <xsd:simpleType name="STRTYPE"><xsd:restriction base="xsd:string"/></xsd:simpleType>
</xsd:schema>`;

const str = (name: string, maxLength: number, occurs = ''): string =>
  `<xsd:element name="${name}"${occurs}><xsd:simpleType><xsd:restriction base="STRTYPE">` +
  `<xsd:maxLength value="${maxLength}"/></xsd:restriction></xsd:simpleType></xsd:element>`;

const OPS_XSD = `<?xml version="1.0"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <xsd:include schemaLocation="types.xsd"/>
  <xsd:element name="ListID" type="IDTYPE"/>
  <xsd:element name="FullName" type="STRTYPE"/>
  <xsd:group name="Ref">
    <xsd:sequence>
      <xsd:element ref="ListID" minOccurs="0"/>
      <xsd:element ref="FullName" minOccurs="0"/>
    </xsd:sequence>
  </xsd:group>
  <xsd:element name="FooAdd">
    <xsd:complexType>
      <xsd:sequence>
        ${str('Name', 31)}
        <xsd:element name="ClassRef" minOccurs="0"><xsd:complexType><xsd:sequence><xsd:group ref="Ref"/></xsd:sequence></xsd:complexType></xsd:element>
        <xsd:choice minOccurs="0">
          <xsd:element name="A" type="STRTYPE"/>
          <xsd:sequence>
            <xsd:element name="B" type="INTTYPE"/>
            <xsd:element name="C" type="AMTTYPE"/>
          </xsd:sequence>
        </xsd:choice>
        <xsd:choice minOccurs="0" maxOccurs="unbounded">
          <xsd:element name="Line"><xsd:complexType><xsd:sequence><xsd:element name="Amount" type="AMTTYPE"/></xsd:sequence></xsd:complexType></xsd:element>
          <xsd:element name="GroupLine"><xsd:complexType><xsd:sequence><xsd:element name="Quantity" type="QUANTYPE"/></xsd:sequence></xsd:complexType></xsd:element>
        </xsd:choice>
        <xsd:element name="Status" minOccurs="0">
          <xsd:simpleType><xsd:restriction base="ENUMTYPE"><xsd:enumeration value="Open"/><xsd:enumeration value="It's"/></xsd:restriction></xsd:simpleType>
        </xsd:element>
        <xsd:element name="TxnID" minOccurs="0">
          <xsd:complexType><xsd:simpleContent><xsd:extension base="IDTYPE"><xsd:attribute name="useMacro" type="MACROTYPE"/></xsd:extension></xsd:simpleContent></xsd:complexType>
        </xsd:element>
        <xsd:element name="IsNew" type="BOOLTYPE" minOccurs="0"/>
      </xsd:sequence>
      <xsd:attribute name="defMacro" type="MACROTYPE"/>
    </xsd:complexType>
  </xsd:element>
  <xsd:complexType name="FooAddRqType">
    <xsd:sequence><xsd:element ref="FooAdd"/>${str('IncludeRetElement', 50, ' minOccurs="0" maxOccurs="unbounded"')}</xsd:sequence>
    <xsd:attribute name="requestID" type="STRTYPE"/>
  </xsd:complexType>
  <xsd:complexType name="BarQueryRqType">
    <xsd:sequence>${str('Name', 5)}<xsd:element name="Extra" type="STRTYPE"/>${str('Name', 9)}</xsd:sequence>
  </xsd:complexType>
  <xsd:complexType name="FooAddRsType">
    <xsd:sequence>
      <xsd:element name="FooRet" minOccurs="0">
        <xsd:complexType>
          <xsd:sequence>
            ${str('Name', 31)}
            <xsd:element name="ClassRef" minOccurs="0"><xsd:complexType><xsd:sequence><xsd:element ref="ListID"/></xsd:sequence></xsd:complexType></xsd:element>
          </xsd:sequence>
        </xsd:complexType>
      </xsd:element>
    </xsd:sequence>
    <xsd:attribute name="statusCode" type="INTTYPE" use="required"/>
  </xsd:complexType>
  <xsd:complexType name="BarQueryRsType">
    <xsd:attribute name="statusCode" type="INTTYPE" use="required"/>
  </xsd:complexType>
  <xsd:element name="QBXMLMsgsRq">
    <xsd:complexType>
      <xsd:choice minOccurs="0" maxOccurs="unbounded">
        <xsd:element name="FooAddRq" type="FooAddRqType"/>
        <xsd:element name="BarQueryRq" type="BarQueryRqType"/>
      </xsd:choice>
      <xsd:attribute name="onError" use="required">
        <xsd:simpleType><xsd:restriction base="STRTYPE"><xsd:enumeration value="stopOnError"/></xsd:restriction></xsd:simpleType>
      </xsd:attribute>
    </xsd:complexType>
  </xsd:element>
  <xsd:element name="QBXMLMsgsRs">
    <xsd:complexType>
      <xsd:choice minOccurs="0" maxOccurs="unbounded">
        <xsd:element name="FooAddRs" type="FooAddRsType"/>
        <xsd:element name="BarQueryRs" type="BarQueryRsType"/>
      </xsd:choice>
    </xsd:complexType>
  </xsd:element>
</xsd:schema>`;

const SAMPLE = `<?xml version="1.0" ?>
<!-- Sample data -->
<?qbxml version="14.0"?>
<QBXML>
  <QBXMLMsgsRq onError = "ENUMTYPE">
    <!-- FooAddRq contains 1 optional attribute: 'requestID' -->
    <FooAddRq requestID = "UUIDTYPE">                  <!-- not in QBOE, v2.0 -->
      <FooAdd defMacro = "MACROTYPE">
        <Name>STRTYPE</Name>                          <!-- max length = 31 for QBD|QBCA -->
        <ClassRef>                                    <!-- opt -->
          <ListID>IDTYPE</ListID>                     <!-- opt -->
          <FullName>STRTYPE</FullName>                <!-- opt -->
        </ClassRef>
        <!-- v11.0, not in QBOE, BEGIN OR: You may optionally have A OR ( B AND C ) -->
        <A>STRTYPE</A>                                <!-- not in QBAU -->
        <!-- OR -->
        <B>INTTYPE</B>                                <!-- v12.0 -->
        <C>AMTTYPE</C>
        <!-- END OR -->
        <!-- BEGIN OR: You may have 0 or more Line OR GroupLine -->
        <Line>
          <Amount>AMTTYPE</Amount>
        </Line>
        <!-- OR -->
        <GroupLine>
          <Quantity>QUANTYPE</Quantity>
        </GroupLine>
        <!-- END OR -->
        <!-- Status may have one of the following values: Open -->
        <Status>ENUMTYPE</Status>                     <!-- opt, v8.0 -->
        <TxnID>IDTYPE</TxnID>                         <!-- opt, may be macro value -->
      </FooAdd>
      <IncludeRetElement>STRTYPE</IncludeRetElement>  <!-- opt, may rep, v4.0 -->
    </FooAddRq>
  </QBXMLMsgsRq>
  <QBXMLMsgsRs>
    <FooAddRs statusCode = "INTTYPE">                 <!-- v2.0 -->
      <FooRet>                                        <!-- opt -->
        <Name>STRTYPE</Name>
      </FooRet>
    </FooAddRs>
    <NotIn16Rs statusCode = "INTTYPE"/>               <!-- v3.0 -->
  </QBXMLMsgsRs>
</QBXML>
`;

describe('annotated sample reader', () => {
  const annotations = readAnnotations(SAMPLE);

  it('keys annotations by path below the message sets', () => {
    expect(annotations.get('FooAddRq')).toEqual({ since: '2.0', notIn: ['QBOE'] });
    expect(annotations.get('FooAddRq/FooAdd')).toEqual({});
    expect(annotations.get('FooAddRq/FooAdd/ClassRef/ListID')).toEqual({});
    expect(annotations.get('FooAddRq/IncludeRetElement')).toEqual({ since: '4.0' });
    expect(annotations.get('NotIn16Rs')).toEqual({ since: '3.0' });
    expect(annotations.has('QBXMLMsgsRq')).toBe(false);
  });

  it('applies a BEGIN OR annotation to each alternative', () => {
    expect(annotations.get('FooAddRq/FooAdd/A')).toEqual({ since: '11.0', notIn: ['QBAU', 'QBOE'] });
    expect(annotations.get('FooAddRq/FooAdd/B')).toEqual({ since: '12.0', notIn: ['QBOE'] });
    expect(annotations.get('FooAddRq/FooAdd/C')).toEqual({ since: '11.0', notIn: ['QBOE'] });
    expect(annotations.get('FooAddRq/FooAdd/Status')).toEqual({ since: '8.0' });
  });

  it('numbers repeated names under one parent', () => {
    const repeated = readAnnotations(
      '<QBXML>\n<QBXMLMsgsRs>\n<XRs>\n<Row/>\n<Row/>   <!-- v9.0 -->\n</XRs>\n</QBXMLMsgsRs>\n</QBXML>\n',
    );
    expect(repeated.get('XRs/Row')).toEqual({});
    expect(repeated.get('XRs/Row#1')).toEqual({ since: '9.0' });
  });

  it('rejects lines it does not understand', () => {
    expect(() => readAnnotations('<QBXML>\n<A>text <b/></A>\n</QBXML>\n')).toThrow(/line 2/);
    expect(() => readAnnotations('<QBXML>\n<A>\n</B>\n')).toThrow(/mismatched/);
  });
});

describe('schema generator', () => {
  let dir: string;
  let generated: GeneratedSchema;
  let schema: LoadedQbxmlSchema;
  const at = (...path: string[]) => findElement(schema, path);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qbxml-schema-'));
    writeFileSync(join(dir, 'types.xsd'), TYPES_XSD);
    writeFileSync(join(dir, 'qbxmlops160.xsd'), OPS_XSD);
    writeFileSync(join(dir, 'sample.xml'), SAMPLE);
    generated = generateQbxmlSchema({ xsdDir: dir, annotatedPath: join(dir, 'sample.xml') });
    schema = buildSchema(JSON.parse(generated.json));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves refs, groups and inline types', () => {
    expect([...schema.requests.keys()]).toEqual(['FooAddRq', 'BarQueryRq']);
    expect(at('FooAddRq', 'FooAdd', 'Name')?.type).toEqual({
      kind: 'leaf',
      base: 'STRTYPE',
      maxLength: 31,
      attributes: [],
    });
    expect(at('FooAddRq', 'FooAdd', 'ClassRef', 'ListID')?.type).toMatchObject({
      base: 'IDTYPE',
      maxLength: 36,
    });
    expect(at('FooAddRq', 'FooAdd', 'Status')?.type).toMatchObject({
      base: 'ENUMTYPE',
      enumValues: ['Open', "It's"],
    });
    expect(at('FooAddRq', 'FooAdd', 'TxnID')?.type.attributes).toEqual([
      { name: 'useMacro', base: 'MACROTYPE', required: false },
    ]);
    expect(at('FooAddRq', 'IncludeRetElement')).toMatchObject({ min: 0, max: Infinity });
    expect(schema.msgsRqAttributes).toEqual([
      { name: 'onError', base: 'STRTYPE', required: true, enumValues: ['stopOnError'] },
    ]);
  });

  it('splices once-only groups and keeps real choices', () => {
    const fooAdd = at('FooAddRq', 'FooAdd')?.type;
    if (fooAdd?.kind !== 'complex' || fooAdd.content?.kind !== 'sequence') throw new Error('FooAdd');
    const kinds = fooAdd.content.items.map((p) =>
      p.kind === 'element' ? p.name : `${p.kind}${p.min}..${p.max}`,
    );
    expect(kinds).toEqual([
      'Name',
      'ClassRef',
      'choice0..1',
      'choice0..Infinity',
      'Status',
      'TxnID',
      'IsNew',
    ]);
    // ClassRef's sequence-of-group-of-sequence is one sequence.
    const classRef = at('FooAddRq', 'FooAdd', 'ClassRef')?.type;
    expect(classRef?.kind === 'complex' && classRef.content).toMatchObject({
      kind: 'sequence',
      min: 1,
      max: 1,
    });
  });

  it('dates elements by path, marking only the outermost new one 15.0', () => {
    expect(at('FooAddRq')).toMatchObject({ since: '2.0', notIn: ['QBOE'] });
    expect(at('FooAddRq', 'FooAdd', 'C')?.since).toBe('11.0');
    expect(at('FooAddRq', 'FooAdd', 'IsNew')?.since).toBe('15.0');
    expect(at('BarQueryRq')?.since).toBe('15.0');
    expect(at('BarQueryRq', 'Name')?.since).toBeUndefined();
    expect(at('FooAddRs', 'FooRet', 'Name')?.since).toBeUndefined();
  });

  it('interns identical types into shared objects', () => {
    expect(at('FooAddRq', 'FooAdd', 'Name')?.type).toBe(at('FooAddRs', 'FooRet', 'Name')?.type);
  });

  it('warns when one name has two types in a content model, keeping the first', () => {
    expect(generated.warnings).toEqual([
      'BarQueryRq: child "Name" occurs with different types; children keeps the first',
    ]);
    expect(at('BarQueryRq', 'Name')?.type).toMatchObject({ maxLength: 5 });
    expect(generated.types).toContain('export interface BarQueryRq {\n  Name: string;\n  Extra: string;\n}');
  });

  it('emits request/response types in the JSON shape conventions', () => {
    const types = generated.types;
    expect(types).toContain("export type Status =\n  | 'Open'\n  | 'It\\'s';");
    expect(types).toContain("TxnID?: string | { '#text': string; '@useMacro'?: string };");
    expect(types).toContain('IncludeRetElement?: string[];');
    expect(types).toContain('Line?: Line[];\n  GroupLine?: GroupLine[];');
    // The optional choice: A, or B and C together, or neither.
    expect(types).toContain('| {\n      A: string;\n      B?: never;\n      C?: never;\n    }');
    expect(types).toContain('| {\n      B: number;\n      C: string;\n      A?: never;\n    }');
    expect(types).toContain('| {\n      A?: never;\n      B?: never;\n      C?: never;\n    }');
    expect(types).toContain("  /** Since qbXML 2.0. Not in QBOE. */\n  FooAddRq: FooAddRq;");
    expect(types).toContain("export interface QBXMLMsgsRqAttributes {\n  '@onError': 'stopOnError';\n}");
  });

  it('scopes the TS name of a second shape under one element name', () => {
    expect(generated.types).toContain(
      'export interface ClassRef {\n  ListID?: string;\n  FullName?: string;\n}',
    );
    expect(generated.types).toContain('export interface FooRet_ClassRef {\n  ListID: string;\n}');
    expect(generated.types).toContain('ClassRef?: FooRet_ClassRef;');
  });
});
