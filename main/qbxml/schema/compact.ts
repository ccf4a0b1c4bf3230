/**
 * The on-disk shape of `generated/qbxml160.json`, shared by the generator (which writes
 * it) and the loader (which rebuilds the `model.ts` objects from it).
 *
 * Why this shape: the fully expanded qbXML 16.0 model has tens of thousands of element
 * occurrences but only a few thousand distinct ones, and a dozen distinct attribute
 * lists. Types, element particles and attribute lists are therefore interned into
 * tables and referenced by index, with short keys and defaults omitted.
 */

import type { QbScalar } from './model';

/** maxOccurs="unbounded" (JSON has no Infinity). */
export const UNBOUNDED = -1;

export interface CompactAttribute {
  /** name */
  n: string;
  /** base scalar type */
  b: QbScalar;
  /** 1 when use="required" */
  r?: 1;
  /** enumeration values */
  e?: string[];
}

/** A leaf type: a scalar value, possibly with attributes (`useMacro`). */
export interface CompactLeaf {
  b: QbScalar;
  /** maxLength */
  l?: number;
  /** enumeration values */
  e?: string[];
  /** index into the attribute-list table */
  a?: number;
}

/** A complex type; told apart from a leaf by the absence of `b`. */
export interface CompactComplex {
  /** content particle; absent when the element has no child elements */
  p?: CompactParticle;
  /** index into the attribute-list table */
  a?: number;
}

export type CompactType = CompactLeaf | CompactComplex;

/** A sequence (`s`) or choice (`c`); `m`/`x` are min/max occurs, default 1. */
export type CompactGroup =
  | { s: CompactParticle[]; m?: number; x?: number }
  | { c: CompactParticle[]; m?: number; x?: number };

/** A number is an index into the element table. */
export type CompactParticle = number | CompactGroup;

export interface CompactElement {
  /** name */
  n: string;
  /** index into the type table */
  t: number;
  /** minOccurs, default 1 */
  m?: number;
  /** maxOccurs, default 1; UNBOUNDED for "unbounded" */
  x?: number;
  /** qbXML version that introduced the element in this context */
  s?: string;
  /** editions lacking the element, joined with "|" as in the SDK sample ("QBCA|QBUK") */
  ni?: string;
}

export interface CompactSchema {
  /** qbXML version */
  v: string;
  /** type table */
  t: CompactType[];
  /** element table */
  e: CompactElement[];
  /** attribute-list table */
  a: CompactAttribute[][];
  /** request elements (children of QBXMLMsgsRq), as element indices, in XSD order */
  rq: number[];
  /** response elements (children of QBXMLMsgsRs), as element indices, in XSD order */
  rs: number[];
  /** attribute lists (indices) of the QBXMLMsgsRq / QBXMLMsgsRs envelopes (onError, …) */
  env: { rq?: number; rs?: number };
}
