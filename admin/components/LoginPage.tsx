import React from 'react';
import { useTranslation } from 'adminjs';
import { Box, Button, FormGroup, H2, Input, Label, MessageBox, Text } from '@adminjs/design-system';

/** The sign-in form's state, as AdminJS renders it into the login page. */
interface LoginState {
  action: string;
  errorMessage?: string;
}

const ICON = '/admin/assets/modeldesk-icon.svg';
const POINTS = [
  'Label, bulk-edit, import and export records.',
  'Train, score, compare and promote model versions.',
  'Every change in an audit log you can verify.',
];

/** ModelDesk's own sign-in page (in place of AdminJS's, which advertises AdminJS). */
const LoginPage: React.FC = () => {
  const { action, errorMessage } = (window as unknown as { __APP_STATE__: LoginState }).__APP_STATE__;
  const { translateMessage } = useTranslation();
  // AdminJS passes a message key ("invalidCredentials") or, from a throttle, a sentence.
  const message =
    errorMessage && errorMessage.includes(' ') ? errorMessage : errorMessage && translateMessage(errorMessage);
  return (
    <Box flex variant="grey" style={{ minHeight: '100vh', alignItems: 'center', justifyContent: 'center' }}>
      <Box bg="white" flex boxShadow="login" style={{ width: 860, maxWidth: '100%' }} data-testid="login-page">
        <Box bg="primary100" color="white" p="x3" style={{ width: 380, flexShrink: 0 }}>
          <img src={ICON} alt="" width={56} height={56} style={{ display: 'block', marginBottom: 24 }} />
          <H2 color="white" fontWeight="normal" mb="lg">
            ModelDesk
          </H2>
          <Text color="white" mb="xl" style={{ fontSize: 16 }}>
            Data, models and audit in one console.
          </Text>
          {POINTS.map((point) => (
            <Text key={point} color="white" mb="md" style={{ opacity: 0.9 }}>
              {point}
            </Text>
          ))}
        </Box>
        <Box as="form" action={action} method="POST" p="x3" flexGrow={1}>
          <Box flex flexDirection="row" style={{ alignItems: 'center', gap: 12 }} mb="xxl">
            <img src={ICON} alt="ModelDesk" width={32} height={32} />
            <H2 mb="0" style={{ fontSize: 22 }}>
              Sign in to ModelDesk
            </H2>
          </Box>
          {message ? <MessageBox my="lg" message={message} variant="danger" /> : null}
          <FormGroup>
            <Label htmlFor="login-email" required>
              Email
            </Label>
            <Input id="login-email" name="email" type="email" autoComplete="username" placeholder="you@example.com" />
          </FormGroup>
          <FormGroup>
            <Label htmlFor="login-password" required>
              Password
            </Label>
            <Input id="login-password" type="password" name="password" autoComplete="current-password" />
          </FormGroup>
          <Text mt="xl" textAlign="center">
            <Button variant="contained" type="submit">
              Sign in
            </Button>
          </Text>
          <Text mt="xl" variant="sm" color="grey60" textAlign="center">
            Forgot your password or locked out? Ask an admin to reset it.
          </Text>
        </Box>
      </Box>
    </Box>
  );
};

export default LoginPage;
