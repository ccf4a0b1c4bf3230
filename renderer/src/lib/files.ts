/** Hands `href` to the browser's download, saved as `fileName`. */
export function downloadLink(href: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
}

/** Saving text the companion produced (a QWC file, CSV) through the browser's download. */
export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  downloadLink(url, fileName);
  // The download has its own copy once click() returns; a moment later is safe everywhere.
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A file name Windows accepts, from a connection's name. */
export function fileNameFor(name: string, extension: string): string {
  const base = name.replace(/[<>:"/\\|?*\u0000-\u001f]/g, '_').replace(/[. ]+$/, '').slice(0, 80) || 'connection';
  return `${base}.${extension}`;
}

/** Copies text; false when the browser refused (the caller then asks for Ctrl+C). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
