/**
 * A small element tree for small documents (HCP responses, QWC files, test fixtures).
 * Large qbXML never goes through here: it is streamed.
 */
import { type Attributes, type XmlHandler, XmlTokenizer } from './tokenizer';

export interface XmlElement {
  name: string;
  attrs: Attributes;
  children: XmlElement[];
  /** Concatenated character data directly inside this element. */
  text: string;
}

class TreeBuilder implements XmlHandler {
  readonly roots: XmlElement[] = [];
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
  }
}

export function parseXml(xml: string): XmlElement {
  const builder = new TreeBuilder();
  const tokenizer = new XmlTokenizer(builder);
  tokenizer.write(xml);
  tokenizer.end();
  return builder.roots[0] as XmlElement;
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
