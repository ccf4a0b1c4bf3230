/**
 * A small element tree for small documents (HCP responses, QWC files, test fixtures).
 * Large qbXML never goes through here: it is streamed.
 */
import { type Attributes, type TokenizerOptions, type XmlHandler, XmlTokenizer } from './tokenizer';

export interface XmlElement {
  name: string;
  attrs: Attributes;
  children: XmlElement[];
  /** Concatenated character data directly inside this element. */
  text: string;
}

export interface XmlTree {
  /** Top-level elements: one for a document, any number for a fragment. */
  roots: XmlElement[];
  instructions: { target: string; data: string; beforeRoot: boolean }[];
  /** Non-blank text outside every element (only a fragment can have it). */
  strayText: boolean;
}

class TreeBuilder implements XmlHandler, XmlTree {
  readonly roots: XmlElement[] = [];
  readonly instructions: XmlTree['instructions'] = [];
  strayText = false;
  private readonly stack: XmlElement[] = [];

  startElement(name: string, attrs: Attributes): void {
    const el: XmlElement = { name, attrs, children: [], text: '' };
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.children.push(el);
    else this.roots.push(el);
    this.stack.push(el);
  }

  endElement(): void {
    this.stack.pop();
  }

  text(text: string): void {
    const top = this.stack[this.stack.length - 1];
    if (top) top.text += text;
    else if (!/^[ \t\r\n]*$/.test(text)) this.strayText = true;
  }

  processingInstruction(target: string, data: string): void {
    this.instructions.push({ target, data, beforeRoot: this.roots.length === 0 });
  }
}

/** Every element, processing instruction and stray text of `xml`; throws XmlSyntaxError. */
export function parseXmlTree(xml: string, options?: TokenizerOptions): XmlTree {
  const builder = new TreeBuilder();
  const tokenizer = new XmlTokenizer(builder, options);
  tokenizer.write(xml);
  tokenizer.end();
  return builder;
}

/** The root element of a document; throws XmlSyntaxError. */
export function parseXml(xml: string): XmlElement {
  return parseXmlTree(xml).roots[0] as XmlElement;
}

export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** Text of a direct child, or undefined when absent. */
export function childText(el: XmlElement | undefined, name: string): string | undefined {
  return child(el, name)?.text;
}
