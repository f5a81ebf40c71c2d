import { Section } from '../../../components/DetailPage';
import { Button, Field, Input } from '../../../components/ui';
import { type ImageRow, rowKey } from '../form-model';
import type { SectionProps } from './types';

function move(rows: ImageRow[], from: number, to: number): ImageRow[] {
  const next = [...rows];
  const [row] = next.splice(from, 1);
  if (row) next.splice(to, 0, row);
  return next;
}

/**
 * Images by URL (the shop hosts them elsewhere), each with its alt text for screen readers; the first is the main
 * image. No preview: the admin's Content-Security-Policy allows https images, but an image from an unknown host is a
 * request the member did not ask for.
 */
export function ImagesSection({ form, update, error, readOnly }: SectionProps) {
  const setImages = (change: (rows: ImageRow[]) => ImageRow[]) => update((f) => ({ ...f, images: change(f.images) }));
  return (
    <Section
      title="Images"
      actions={
        readOnly ? undefined : (
          <Button
            size="sm"
            disabled={form.images.length >= 50}
            onClick={() => setImages((rows) => [...rows, { key: rowKey(), url: '', alt: '' }])}
          >
            Add image
          </Button>
        )
      }
    >
      {form.images.length === 0 ? <p className="text-sm text-gray-700">No images.</p> : null}
      <ol className="space-y-3">
        {form.images.map((img, i) => (
          <li key={img.key} className="rounded-md border border-gray-200 p-3">
            <div className="grid gap-3 md:grid-cols-[2fr_1fr]">
              <Field
                label={`Image ${i + 1} URL`}
                hint={i === 0 ? 'The main image.' : undefined}
                error={error(`images.${i}.url`)}
              >
                <Input
                  type="url"
                  value={img.url}
                  placeholder="https://cdn.example.com/shirt.jpg"
                  onChange={(e) =>
                    setImages((rows) => rows.map((r) => (r.key === img.key ? { ...r, url: e.target.value } : r)))
                  }
                />
              </Field>
              <Field label={`Image ${i + 1} alt text`} error={error(`images.${i}.alt`)}>
                <Input
                  value={img.alt}
                  onChange={(e) =>
                    setImages((rows) => rows.map((r) => (r.key === img.key ? { ...r, alt: e.target.value } : r)))
                  }
                />
              </Field>
            </div>
            {readOnly ? null : (
              <div className="mt-2 flex flex-wrap justify-end gap-2">
                <Button
                  size="sm"
                  variant="ghost"
                  disabled={i === 0}
                  aria-label={`Move up image ${i + 1}`}
                  onClick={() => setImages((rows) => move(rows, i, i - 1))}
                >
                  Move up
                </Button>
                <Button
                  size="sm"
                  variant="ghost"
                  disabled={i === form.images.length - 1}
                  aria-label={`Move down image ${i + 1}`}
                  onClick={() => setImages((rows) => move(rows, i, i + 1))}
                >
                  Move down
                </Button>
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={`Remove image ${i + 1}`}
                  onClick={() => setImages((rows) => rows.filter((r) => r.key !== img.key))}
                >
                  Remove
                </Button>
              </div>
            )}
          </li>
        ))}
      </ol>
    </Section>
  );
}
