// The account web app under /account: its routes (one page or form per file). src/xrpc/routes/account.ts
// mounts them on the server with the client's IP and the server's rate limiter.
import { createHmac } from 'node:crypto'
import { BASE, REAUTH_PATH, SIGN_IN_PATH, type AccountApp, type AccountAppServices } from './context.ts'
import type { Route } from './router.ts'
import { WEB_LIMITS } from './rate-limits.ts'
import { newSignInCode, PASSKEY_SIGN_IN_PATH, showSignIn, submitSignIn } from './sign-in.tsx'
import { removePassword, REMOVE_PASSWORD_PATH } from './passkey-only.tsx'
import { cancelRecoverySignedIn, RECOVER_ROUTES, showCancelRecovery, showFinishRecovery, showRecover, submitCancelRecovery, submitFinishRecovery, submitRecover } from './recover.tsx'
import { forgetAllBrowsers, forgetBrowser, TRUSTED_BROWSER_ROUTES } from './trusted-browsers.tsx'
import { passkeyChallenge, submitPasskeyReauth, submitPasskeySignIn } from './passkey-sign-in.ts'
import { handleAvailable, showSignUp, SIGN_UP_PATH, signUpPasskeyOptions, submitSignUp } from './sign-up.tsx'
import { submitSignOut } from './sign-out.ts'
import { showConfirmPassword, submitConfirmPassword } from './confirm-password.tsx'
import { showDashboard } from './dashboard.tsx'
import { changeEmail, confirmEmail, requestChange, sendConfirmation, showEmail } from './email.tsx'
import { changePassword, sendPasswordCode, showPassword } from './password.tsx'
import { showForgotPassword, showResetPassword, submitForgotPassword, submitResetPassword } from './forgot-password.tsx'
import { revokeSession, showSessions, signOutOthers } from './sessions.tsx'
import { createAppPassword, revokeAppPassword, showAppPasswords } from './app-passwords.tsx'
import { showInvites } from './invites.tsx'
import { changeHandle, checkHandle, showHandle } from './handle.tsx'
import { showCollection, showData, showRecord } from './data.tsx'
import { showBlobs } from './blobs.tsx'
import { downloadBlob, downloadBlobs, downloadRepo } from './data-files.ts'
import { deactivate, reactivate, showDeactivate } from './deactivate.tsx'
import { addChannel, NOTIFICATIONS_PATH, removeChannel, resendCode, setPreferred, showNotifications, verifyChannel } from './notifications.tsx'
import { deleteAccount, sendDeleteCode, showDeleteAccount } from './delete-account.tsx'
import { checkIdentity, IDENTITY_PATH, showIdentity } from './identity.tsx'
import { MAX_RESTORE_BYTES, RESTORE_PATH, showRestore, submitRestore } from './restore.tsx'
import { confirmMove, forgetMove, MOVE_PATH, showMoveHere, startMove } from './move-here.tsx'
import { addPasskey, passkeyOptions, beginTotp, cancelTotp, disableTotp, finishTotp, regenerateBackupCodes, removePasskey, SECURITY_PATH, setEmailCode, showSecurity } from './security.tsx'

export const ROUTES: Route[] = [
  { method: 'GET', path: SIGN_IN_PATH, access: 'public', handler: showSignIn },
  { method: 'POST', path: SIGN_IN_PATH, access: 'public', limits: WEB_LIMITS.password, handler: submitSignIn },
  { method: 'POST', path: `${SIGN_IN_PATH}/new-code`, access: 'public', limits: [...WEB_LIMITS.password, ...WEB_LIMITS.signInCode], handler: newSignInCode },
  { method: 'POST', path: `${PASSKEY_SIGN_IN_PATH}/options`, access: 'public', limits: WEB_LIMITS.passkeyChallenge, handler: passkeyChallenge },
  { method: 'POST', path: PASSKEY_SIGN_IN_PATH, access: 'public', limits: WEB_LIMITS.password, handler: submitPasskeySignIn },
  { method: 'POST', path: `${BASE}/sign-out`, access: 'signedIn', handler: submitSignOut },
  { method: 'GET', path: REAUTH_PATH, access: 'signedIn', handler: showConfirmPassword },
  { method: 'POST', path: REAUTH_PATH, access: 'signedIn', limits: WEB_LIMITS.password, handler: submitConfirmPassword },
  { method: 'POST', path: `${REAUTH_PATH}/passkey/options`, access: 'signedIn', limits: WEB_LIMITS.passkeyChallenge, handler: passkeyChallenge },
  { method: 'POST', path: `${REAUTH_PATH}/passkey`, access: 'signedIn', limits: WEB_LIMITS.password, handler: submitPasskeyReauth },
  { method: 'GET', path: SIGN_UP_PATH, access: 'public', handler: showSignUp },
  { method: 'GET', path: `${SIGN_UP_PATH}/handle-available`, access: 'public', limits: WEB_LIMITS.handleCheck, handler: handleAvailable },
  { method: 'POST', path: `${SIGN_UP_PATH}/passkey-options`, access: 'public', limits: WEB_LIMITS.passkeyChallenge, handler: signUpPasskeyOptions },
  { method: 'POST', path: SIGN_UP_PATH, access: 'public', limits: WEB_LIMITS.createAccount, handler: submitSignUp },
  { method: 'GET', path: RECOVER_ROUTES.ask, access: 'public', handler: showRecover },
  { method: 'POST', path: RECOVER_ROUTES.ask, access: 'public', limits: WEB_LIMITS.requestPasswordReset, handler: submitRecover },
  { method: 'GET', path: RECOVER_ROUTES.finish, access: 'public', handler: showFinishRecovery },
  { method: 'POST', path: RECOVER_ROUTES.finish, access: 'public', limits: WEB_LIMITS.emailCode, handler: submitFinishRecovery },
  { method: 'GET', path: RECOVER_ROUTES.cancel, access: 'public', handler: showCancelRecovery },
  { method: 'POST', path: RECOVER_ROUTES.cancel, access: 'public', limits: WEB_LIMITS.emailCode, handler: submitCancelRecovery },
  { method: 'GET', path: `${BASE}/forgot-password`, access: 'public', handler: showForgotPassword },
  { method: 'POST', path: `${BASE}/forgot-password`, access: 'public', limits: WEB_LIMITS.requestPasswordReset, handler: submitForgotPassword },
  { method: 'GET', path: `${BASE}/reset-password`, access: 'public', handler: showResetPassword },
  { method: 'POST', path: `${BASE}/reset-password`, access: 'public', limits: WEB_LIMITS.emailCode, handler: submitResetPassword },
  { method: 'GET', path: MOVE_PATH, access: 'public', handler: showMoveHere },
  { method: 'POST', path: MOVE_PATH, access: 'public', limits: WEB_LIMITS.password, handler: startMove },
  { method: 'POST', path: `${MOVE_PATH}/confirm`, access: 'public', limits: WEB_LIMITS.emailCode, handler: confirmMove },
  { method: 'POST', path: `${MOVE_PATH}/forget`, access: 'public', handler: forgetMove },
  { method: 'GET', path: RESTORE_PATH, access: 'public', handler: showRestore },
  { method: 'POST', path: RESTORE_PATH, access: 'public', limits: WEB_LIMITS.password, upload: MAX_RESTORE_BYTES, handler: submitRestore },

  { method: 'GET', path: BASE, access: 'signedIn', handler: showDashboard },
  { method: 'GET', path: `${BASE}/sessions`, access: 'signedIn', handler: showSessions },
  { method: 'POST', path: `${BASE}/sessions/revoke`, access: 'signedIn', handler: revokeSession },
  { method: 'POST', path: `${BASE}/sessions/sign-out-others`, access: 'signedIn', handler: signOutOthers },
  { method: 'GET', path: `${BASE}/app-passwords`, access: 'signedIn', handler: showAppPasswords },
  { method: 'POST', path: `${BASE}/app-passwords`, access: 'recentPassword', limits: WEB_LIMITS.createAppPassword, handler: createAppPassword },
  { method: 'POST', path: `${BASE}/app-passwords/revoke`, access: 'signedIn', handler: revokeAppPassword },
  { method: 'GET', path: `${BASE}/invites`, access: 'signedIn', handler: showInvites },
  { method: 'GET', path: `${BASE}/email`, access: 'signedIn', handler: showEmail },
  { method: 'POST', path: `${BASE}/email/send-confirmation`, access: 'signedIn', limits: WEB_LIMITS.sendMail, handler: sendConfirmation },
  { method: 'POST', path: `${BASE}/email/confirm`, access: 'signedIn', limits: WEB_LIMITS.emailCode, handler: confirmEmail },
  { method: 'POST', path: `${BASE}/email/request-change`, access: 'recentPassword', limits: WEB_LIMITS.sendMail, handler: requestChange },
  { method: 'POST', path: `${BASE}/email/change`, access: 'recentPassword', limits: WEB_LIMITS.emailCode, handler: changeEmail },
  { method: 'GET', path: `${BASE}/password`, access: 'recentPassword', handler: showPassword },
  { method: 'POST', path: `${BASE}/password/send-code`, access: 'recentPassword', limits: WEB_LIMITS.sendMail, handler: sendPasswordCode },
  { method: 'POST', path: `${BASE}/password`, access: 'recentPassword', limits: WEB_LIMITS.emailCode, handler: changePassword },
  { method: 'GET', path: SECURITY_PATH, access: 'signedIn', handler: showSecurity },
  { method: 'POST', path: `${SECURITY_PATH}/totp/begin`, access: 'recentPassword', handler: beginTotp },
  { method: 'POST', path: `${SECURITY_PATH}/totp/finish`, access: 'recentPassword', limits: WEB_LIMITS.emailCode, handler: finishTotp },
  { method: 'POST', path: `${SECURITY_PATH}/totp/cancel`, access: 'signedIn', handler: cancelTotp },
  { method: 'POST', path: `${SECURITY_PATH}/totp/disable`, access: 'recentPassword', handler: disableTotp },
  { method: 'POST', path: `${SECURITY_PATH}/backup-codes`, access: 'recentPassword', handler: regenerateBackupCodes },
  { method: 'POST', path: `${SECURITY_PATH}/email-code`, access: 'recentPassword', handler: setEmailCode },
  { method: 'POST', path: `${SECURITY_PATH}/passkeys/options`, access: 'recentPassword', handler: passkeyOptions },
  { method: 'POST', path: `${SECURITY_PATH}/passkeys/add`, access: 'recentPassword', handler: addPasskey },
  { method: 'POST', path: `${SECURITY_PATH}/passkeys/remove`, access: 'recentPassword', handler: removePasskey },
  { method: 'POST', path: TRUSTED_BROWSER_ROUTES.forget, access: 'signedIn', handler: forgetBrowser },
  { method: 'POST', path: TRUSTED_BROWSER_ROUTES.forgetAll, access: 'signedIn', handler: forgetAllBrowsers },
  { method: 'POST', path: RECOVER_ROUTES.cancelSignedIn, access: 'signedIn', handler: cancelRecoverySignedIn },
  { method: 'POST', path: REMOVE_PASSWORD_PATH, access: 'recentPassword', handler: removePassword },
  { method: 'GET', path: `${BASE}/handle`, access: 'signedIn', handler: showHandle },
  { method: 'POST', path: `${BASE}/handle/check`, access: 'signedIn', limits: WEB_LIMITS.handleLookup, handler: checkHandle },
  { method: 'POST', path: `${BASE}/handle`, access: 'recentPassword', limits: WEB_LIMITS.updateHandle, handler: changeHandle },
  { method: 'GET', path: NOTIFICATIONS_PATH, access: 'signedIn', handler: showNotifications },
  { method: 'POST', path: `${NOTIFICATIONS_PATH}/add`, access: 'recentPassword', limits: WEB_LIMITS.sendMail, handler: addChannel },
  { method: 'POST', path: `${NOTIFICATIONS_PATH}/verify`, access: 'signedIn', limits: WEB_LIMITS.emailCode, handler: verifyChannel },
  { method: 'POST', path: `${NOTIFICATIONS_PATH}/resend`, access: 'signedIn', limits: WEB_LIMITS.sendMail, handler: resendCode },
  { method: 'POST', path: `${NOTIFICATIONS_PATH}/preferred`, access: 'recentPassword', handler: setPreferred },
  { method: 'POST', path: `${NOTIFICATIONS_PATH}/remove`, access: 'signedIn', handler: removeChannel },
  { method: 'GET', path: IDENTITY_PATH, access: 'signedIn', handler: showIdentity },
  { method: 'POST', path: `${IDENTITY_PATH}/check`, access: 'signedIn', limits: WEB_LIMITS.handleLookup, handler: checkIdentity },
  { method: 'GET', path: `${BASE}/data`, access: 'signedIn', handler: showData },
  { method: 'GET', path: `${BASE}/data/collection`, access: 'signedIn', handler: showCollection },
  { method: 'GET', path: `${BASE}/data/record`, access: 'signedIn', handler: showRecord },
  { method: 'GET', path: `${BASE}/data/blobs`, access: 'signedIn', handler: showBlobs },
  { method: 'GET', path: `${BASE}/data/blob`, access: 'signedIn', handler: downloadBlob },
  { method: 'GET', path: `${BASE}/data/repo.car`, access: 'recentPassword', limits: WEB_LIMITS.export, handler: downloadRepo },
  { method: 'GET', path: `${BASE}/data/blobs.tar`, access: 'recentPassword', limits: WEB_LIMITS.export, handler: downloadBlobs },
  { method: 'GET', path: `${BASE}/deactivate`, access: 'signedIn', handler: showDeactivate },
  { method: 'POST', path: `${BASE}/deactivate`, access: 'recentPassword', handler: deactivate },
  { method: 'POST', path: `${BASE}/deactivate/reactivate`, access: 'signedIn', handler: reactivate },
  { method: 'GET', path: `${BASE}/delete`, access: 'recentPassword', handler: showDeleteAccount },
  { method: 'POST', path: `${BASE}/delete/send-code`, access: 'recentPassword', limits: WEB_LIMITS.sendMail, handler: sendDeleteCode },
  { method: 'POST', path: `${BASE}/delete`, access: 'recentPassword', limits: WEB_LIMITS.deleteAccount, handler: deleteAccount },
]

export function createAccountApp(services: AccountAppServices, limit: AccountApp['limit']): AccountApp {
  const { config } = services
  return {
    services,
    limit,
    csrfKey: createHmac('sha256', config.secrets.jwtSecret).update('pds-account-web-csrf-v1').digest('base64url'),
    secureCookies: config.service.publicUrl.startsWith('https:'),
    origins: [new URL(config.service.publicUrl).origin],
    devMode: config.service.devMode,
  }
}
