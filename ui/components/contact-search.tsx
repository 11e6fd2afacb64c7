import { useRef, useState } from 'preact/hooks';
import { searchContacts } from '../api.ts';
import { contactName, initials } from '../lib/format.ts';
import { useDebounced } from '../lib/hooks.ts';
import type { Contact } from '../lib/types.ts';
import { usePages } from '../lib/use-pages.ts';
import { Empty, ErrorState, Loading } from './states.tsx';

interface Props {
  selectedId?: string;
  onSelect: (c: Contact) => void;
}

/** Debounced contact search with cursor paging; arrow keys move between the input and the rows. */
export function ContactSearch({ selectedId, onSelect }: Props) {
  const [query, setQuery] = useState('');
  const settled = useDebounced(query.trim(), 250);
  const { pages, status, error, cursor, more, retry } = usePages(
    (c) => searchContacts(settled, c),
    [settled],
  );
  const contacts = pages.flatMap((p) => p.contacts);
  const [focused, setFocused] = useState(-1);
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLUListElement>(null);

  // Roving tabindex: Tab enters the list once (at the open or last focused row); arrows move inside.
  const selectedIndex = contacts.findIndex((c) => c.id === selectedId);
  const tabStop = focused >= 0 && focused < contacts.length ? focused : Math.max(0, selectedIndex);

  const rows = () => [...list.current!.querySelectorAll('button')];

  const onInputKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      rows()[0]?.focus();
    } else if (e.key === 'Enter' && contacts[0]) {
      onSelect(contacts[0]);
    }
  };

  const onRowKey = (e: KeyboardEvent, index: number) => {
    const all = rows();
    const go = (i: number) => {
      e.preventDefault();
      all[Math.max(0, Math.min(all.length - 1, i))]?.focus();
    };
    if (e.key === 'ArrowDown') go(index + 1);
    else if (e.key === 'ArrowUp') index === 0 ? (e.preventDefault(), input.current?.focus()) : go(index - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(all.length - 1);
    else if (e.key === 'Escape') {
      e.preventDefault();
      input.current?.focus();
    }
  };

  return (
    <section class="card search" aria-label="Contacts">
      <div class="search-box">
        <label for="contact-search" class="sr-only">
          Search contacts
        </label>
        <input
          id="contact-search"
          ref={input}
          type="search"
          class="input"
          placeholder="Search by name, email or phone"
          autocomplete="off"
          maxLength={75}
          value={query}
          data-testid="contact-search"
          aria-controls="contact-results"
          aria-describedby="contact-search-hint"
          onInput={(e) => setQuery(e.currentTarget.value)}
          onKeyDown={onInputKey}
        />
        <p id="contact-search-hint" class="sr-only">
          Use the down arrow to move into the results.
        </p>
      </div>
      {status === 'loading' && <Loading label="Searching…" />}
      {status === 'error' && <ErrorState message={error} onRetry={retry} />}
      {status !== 'loading' && status !== 'error' && contacts.length === 0 && (
        <Empty title={settled ? `No contacts match “${settled}”` : 'No contacts yet'}>
          {settled
            ? 'Try a different name, email or phone number.'
            : 'Contacts of this sub-account appear here.'}
        </Empty>
      )}
      <ul
        id="contact-results"
        ref={list}
        class="contact-list"
        aria-label="Search results"
        aria-busy={status === 'loading'}
      >
        {status !== 'loading' &&
          contacts.map((c, i) => {
            const name = contactName(c);
            return (
              <li key={c.id}>
                <button
                  type="button"
                  class="contact-row"
                  data-testid="contact-row"
                  data-contact-id={c.id}
                  aria-current={c.id === selectedId ? 'true' : undefined}
                  tabIndex={i === tabStop ? 0 : -1}
                  onFocus={() => setFocused(i)}
                  onClick={() => onSelect(c)}
                  onKeyDown={(e) => onRowKey(e, i)}
                >
                  <span class="avatar" aria-hidden="true">
                    {initials(name)}
                  </span>
                  <span class="contact-row-text">
                    <span class="contact-row-name">{name}</span>
                    <span class="muted small">
                      {[c.email, c.phone].filter(Boolean).join(' · ') || 'No email or phone'}
                    </span>
                  </span>
                </button>
              </li>
            );
          })}
      </ul>
      {cursor && status !== 'loading' && status !== 'error' && (
        <button
          type="button"
          class="btn btn-block"
          data-testid="contacts-load-more"
          disabled={status === 'more'}
          onClick={more}
        >
          {status === 'more' ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
