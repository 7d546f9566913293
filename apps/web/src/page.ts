// Small helpers every part of the page uses: elements by id, the status line, messages.

export const base = import.meta.env.BASE_URL;

/** The element with this id; the page is broken when it is missing. */
export const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`The page is missing #${id}.`);
  return el as T;
};

const statusEl = $('status');

export function setStatus(text: string, error = false): void {
  statusEl.textContent = text;
  statusEl.classList.toggle('error', error);
  document.body.dataset.error = error ? 'true' : 'false';
}

/** Whether the status line shows an error now. */
export function statusIsError(): boolean {
  return statusEl.classList.contains('error');
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `text` ending with exactly one full stop (messages are joined into sentences). */
export function sentence(text: string): string {
  const t = text.trim().replace(/[.\s]+$/, '');
  return /[!?…]$/.test(t) ? t : `${t}.`;
}

export function optionText(select: HTMLSelectElement, value: string): string {
  return (
    Array.from(select.options)
      .find((o) => o.value === value)
      ?.textContent?.trim() ?? value
  );
}
