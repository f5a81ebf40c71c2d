import { useState } from 'react';
import { api } from '../../api/client';
import { describeError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { type Me, useSession } from '../../api/session';
import { CodeConfirmForm } from '../../components/CodeConfirmForm';
import { Button, Card, ConfirmDialog, Dialog, DialogClose, useToast } from '../../components/ui';

/** New recovery codes (with MFA on) and "sign out everywhere" (every session of this member, this tab included). */
export function SecurityCard({ me }: { me: Me }) {
  const session = useSession();
  return (
    <Card title="Sessions and recovery codes">
      <div className="space-y-4 text-sm text-gray-800">
        {me.mfaEnabled ? (
          <div className="space-y-2">
            <p>Used or lost your recovery codes? Get a new set: the old codes stop working at once.</p>
            <NewRecoveryCodesDialog />
          </div>
        ) : null}
        <div className="space-y-2">
          <p>
            Left a session open on another computer? Sign out everywhere ends every session of your account, this one
            too.
          </p>
          <ConfirmDialog
            trigger={<Button variant="danger">Sign out everywhere</Button>}
            title="Sign out everywhere?"
            description="Every session of your account ends, on every device, including this one. You sign in again with your password."
            confirmLabel="Sign out everywhere"
            onConfirm={async () => {
              await api.DELETE('/v1/admin/auth/sessions');
              await session.signOut();
            }}
          />
        </div>
      </div>
    </Card>
  );
}

function NewRecoveryCodesDialog() {
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState('');
  const regenerate = useApiMutation<{ recoveryCodes: string[] }, string>({
    mutationFn: async (c) => (await api.POST('/v1/admin/staff/me/mfa/recovery-codes', { body: { code: c } })).data,
    onSuccess: () => {
      setCode('');
      toast('New recovery codes made; the old ones no longer work');
    },
  });
  const codes = regenerate.data?.recoveryCodes;

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (!o) {
          regenerate.reset();
          setCode('');
        }
      }}
      trigger={<Button>New recovery codes…</Button>}
      title="New recovery codes"
      description={
        codes
          ? 'Save these now: they are shown only once. Each signs you in once when you cannot use your app.'
          : 'Enter a current code from your authenticator app (or a recovery code) to confirm it is you.'
      }
    >
      {codes ? (
        <div className="space-y-4">
          <ul aria-label="Your new recovery codes" className="grid grid-cols-2 gap-2 font-mono text-sm">
            {codes.map((c) => (
              <li key={c} className="rounded border border-gray-200 bg-gray-50 px-2 py-1 break-all">
                {c}
              </li>
            ))}
          </ul>
          <div className="flex flex-wrap justify-end gap-2">
            <Button
              onClick={() => {
                void navigator.clipboard
                  .writeText(`${codes.join('\n')}\n`)
                  .then(() => toast('Recovery codes copied'))
                  .catch(() => toast('Copying failed: select the codes and copy them by hand'));
              }}
            >
              Copy codes
            </Button>
            <DialogClose asChild>
              <Button variant="primary">I have saved them</Button>
            </DialogClose>
          </div>
        </div>
      ) : (
        <CodeConfirmForm
          code={code}
          onCodeChange={setCode}
          error={regenerate.error ? describeError(regenerate.error) : undefined}
          pending={regenerate.isPending}
          submitLabel="Make new codes"
          submitVariant="primary"
          onSubmit={(c) => regenerate.mutate(c)}
        />
      )}
    </Dialog>
  );
}
