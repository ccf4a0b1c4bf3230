/**
 * The in-memory model of the qbXML 16.0 schema, reconstructed at run time from the
 * compact metadata that `scripts/generate-qbxml-schema.ts` derives from Intuit's XSD.
 * The XSD itself is never shipped (Intuit's copyright); only these facts are.
 *
 * The builder (JSON → qbXML) walks `content` particles to emit children in schema
 * order; the streaming parser uses `children` to type each element it meets.
 */

/** Leaf value types of qbxmltypes160.xsd. */
export type QbScalar =
  | 'IDTYPE'
  | 'STRTYPE'
  | 'BOOLTYPE'
  | 'DATETYPE'
  | 'DATETIMETYPE'
  | 'TIMEINTERVALTYPE'
  | 'AMTTYPE'
  | 'PRICETYPE'
  | 'QUANTYPE'
  | 'PERCENTTYPE'
  | 'ENUMTYPE'
  | 'INTTYPE'
  | 'GUIDTYPE'
  | 'UUIDTYPE'
  | 'MACROTYPE'
  | 'FLOATTYPE';

export interface AttributeSpec {
  readonly name: string;
  readonly base: QbScalar;
  readonly required: boolean;
  readonly enumValues?: readonly string[];
}

/** An element whose content is a value (possibly with attributes, e.g. `useMacro`). */
export interface LeafType {
  readonly kind: 'leaf';
  readonly base: QbScalar;
  readonly maxLength?: number;
  readonly enumValues?: readonly string[];
  readonly attributes: readonly AttributeSpec[];
}

/** An element with child elements (or an empty element with only attributes). */
export interface ComplexType {
  readonly kind: 'complex';
  /** undefined: the element has no child elements. */
  readonly content: Particle | undefined;
  readonly attributes: readonly AttributeSpec[];
  /** Every element that can appear directly inside this type, by name. */
  readonly children: ReadonlyMap<string, ElementSpec>;
}

export type TypeSpec = LeafType | ComplexType;

/** `max` is `Infinity` for maxOccurs="unbounded". */
export interface GroupParticle {
  readonly kind: 'sequence' | 'choice';
  readonly min: number;
  readonly max: number;
  readonly items: readonly Particle[];
}

export interface ElementSpec {
  readonly kind: 'element';
  readonly name: string;
  readonly type: TypeSpec;
  readonly min: number;
  readonly max: number;
  /** The qbXML version that introduced this element, when known (e.g. "13.0"). */
  readonly since?: string;
  /** Editions that lack this element, e.g. ["QBCA", "QBUK"] (from the SDK's annotated sample). */
  readonly notIn?: readonly string[];
}

export type Particle = ElementSpec | GroupParticle;

export interface QbxmlSchema {
  /** The qbXML version the metadata was generated from, e.g. "16.0". */
  readonly version: string;
  /** Request elements by name, e.g. "InvoiceAddRq". */
  readonly requests: ReadonlyMap<string, ElementSpec>;
  /** Response elements by name, e.g. "InvoiceAddRs". */
  readonly responses: ReadonlyMap<string, ElementSpec>;
}
