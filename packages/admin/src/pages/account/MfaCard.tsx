import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api } from '../../api/client';
import { describeError } from '../../api/errors';
import { useApiMutation } from '../../api/mutation';
import { type Me, meQueryKey } from '../../api/session';
import { CodeConfirmForm } from '../../components/CodeConfirmForm';
import { Badge, Button, buttonClass, Card, Dialog, useToast } from '../../components/ui';

/** Two-factor status: set it up (enrolment page), or turn it off with a current code or a recovery code. */
export function MfaCard({ me }: { me: Me }) {
  return (
    <Card
      title="Two-factor authentication"
      actions={me.mfaEnabled ? <Badge tone="success">On</Badge> : <Badge tone="warning">Off</Badge>}
    >
      {me.mfaEnabled ? (
        <div className="space-y-3 text-sm text-gray-800">
          <p>
            Signing in asks for a code from your authenticator app, or one of your recovery codes when you do not have
            your phone.
          </p>
          <TurnOffDialog />
        </div>
      ) : (
        <div className="space-y-3 text-sm text-gray-800">
          <p>Add a second step at sign-in: a code from an authenticator app on your phone.</p>
          <Link to="/mfa-setup" search={{ next: '/account' } as never} className={buttonClass('primary')}>
            Set up two-factor authentication
          </Link>
        </div>
      )}
    </Card>
  );
}

function TurnOffDialog() {
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState('');
  const turnOff = useApiMutation<unknown, string>({
    mutationFn: async (c) => (await api.DELETE('/v1/admin/staff/me/mfa', { body: { code: c } })).data,
    invalidate: [meQueryKey],
    onSuccess: () => {
      setOpen(false);
      setCode('');
      toast('Two-factor authentication turned off');
    },
  });
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (!o) turnOff.reset();
      }}
      trigger={<Button variant="secondary">Turn off…</Button>}
      title="Turn off two-factor authentication"
      description="Enter a current code from your app, or a recovery code. If your role requires two-factor authentication, you will be asked to set it up again straight away (a way to move it to a new phone)."
    >
      <CodeConfirmForm
        code={code}
        onCodeChange={setCode}
        error={turnOff.error ? describeError(turnOff.error) : undefined}
        pending={turnOff.isPending}
        submitLabel="Turn off"
        submitVariant="danger"
        onSubmit={(c) => turnOff.mutate(c)}
      />
    </Dialog>
  );
}
