import { useState } from 'preact/hooks';

interface Props {
  tags: string[];
  onAdd: (tag: string) => void;
  onRemove: (tag: string) => void;
}

/** Tags as removable chips, with an input that adds on Enter (or a comma). */
export function TagEditor({ tags, onAdd, onRemove }: Props) {
  const [draft, setDraft] = useState('');

  const commit = () => {
    for (const tag of draft.split(',')) if (tag.trim()) onAdd(tag.trim());
    setDraft('');
  };

  return (
    <div class="tags" data-testid="tags">
      <ul class="tag-list" aria-label="Tags">
        {tags.map((tag) => (
          <li key={tag} class="tag" data-testid="tag" data-tag={tag}>
            <span>{tag}</span>
            <button
              type="button"
              class="tag-remove"
              aria-label={`Remove tag ${tag}`}
              data-testid="tag-remove"
              onClick={() => onRemove(tag)}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <form
        class="tag-form"
        onSubmit={(e) => {
          e.preventDefault();
          commit();
        }}
      >
        <label for="tag-input" class="sr-only">
          Add a tag
        </label>
        <input
          id="tag-input"
          class="input input-sm"
          placeholder="Add tag"
          value={draft}
          maxLength={100}
          data-testid="tag-input"
          onInput={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === ',') {
              e.preventDefault();
              commit();
            }
          }}
        />
        <button type="submit" class="btn btn-sm" data-testid="tag-add" disabled={!draft.trim()}>
          Add
        </button>
      </form>
    </div>
  );
}
