import { Button, Dialog, useToast } from '../../../components/ui';

/** The endpoint's new signing secret, shown once (after adding the endpoint or rotating its secret). */
export function SecretDialog({ title, secret, onClose }: { title: string; secret: string; onClose: () => void }) {
  const toast = useToast();
  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      title={title}
      description="Copy the signing secret now: it is not shown again. Your service checks each request's signature with it."
      footer={
        <>
          <Button
            onClick={() =>
              void navigator.clipboard
                .writeText(secret)
                .then(() => toast('Secret copied'))
                .catch(() => toast('Could not copy: select the secret and copy it', { tone: 'error' }))
            }
          >
            Copy
          </Button>
          <Button variant="primary" onClick={onClose}>
            Done
          </Button>
        </>
      }
    >
      <code data-testid="webhook-secret" className="block rounded bg-gray-100 p-3 text-sm break-all text-gray-900">
        {secret}
      </code>
    </Dialog>
  );
}
