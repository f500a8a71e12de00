// Saves text as a file the way a browser (and Electron's window) downloads one: an object URL on
// a link with a `download` name. The one place the Traces page touches the document directly.

/** The object URL is released once the download has surely started. */
const releaseAfterMs = 10_000;

export function downloadText(fileName: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), releaseAfterMs);
}
