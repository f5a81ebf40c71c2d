import { Placeholder } from '../../components/Placeholder';

export default function SignInPage() {
  return <Placeholder title="Sign in" />;
}
