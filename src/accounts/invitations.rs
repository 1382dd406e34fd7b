//! Invitations (SPEC §14): an Admin invites an email with a role; the mail's link
//! (`/invitations/{token}`, 72 hours, once) lets the invitee choose their own password.
//! Nobody sets another person's password. The token is random (32 base62 characters,
//! about 190 bits) and stored only as its SHA-256. Each step is audited.

use super::principal::Principal;
use super::sessions::{Issued, start_session};
use super::setup::{hashed, new_user};
use super::team::audit;
use super::tokens::{Purpose, Tokens};
use super::{links::Refusal, throttle, validate};
use crate::clock;
use crate::db::DbConn;
use crate::db::models::audit::AuditEntry;
use crate::db::models::invitation::Invitation;
use crate::db::models::merchant::Merchant;
use crate::db::models::user::{Role, User};
use crate::error::{Error, FieldErrors};
use crate::mail::notify::{Kind, Notice, notify};
use crate::mail::{self, Mail};

/// How long an invitation's link works.
pub const INVITATION_SECS: i64 = 72 * 60 * 60;

/// The Invite form on Team.
pub struct NewInvitation {
    pub email: String,
    pub role: String,
}

/// An open invitation as Team lists it.
pub struct PendingInvitation {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    pub expires_at: i64,
    pub expired: bool,
}

/// A new token: (the token for the link, its SHA-256 for the row).
fn new_token() -> (String, String) {
    let token = crate::ids::random_base62(32);
    let hash = crate::crypto::hash(&token);
    (token, hash)
}

/// Queues the invitation's mail (in the caller's transaction). The token is only here
/// and in the link; the mail layer blanks the link once it is sent.
fn queue_mail(
    conn: &mut DbConn,
    actor: &Principal,
    email: &str,
    role: Role,
    token: &str,
) -> Result<(), Error> {
    let merchant = &actor.merchant.name;
    mail::queue(
        conn,
        &Mail {
            to: email.to_owned(),
            subject: format!("You are invited to join {merchant} on Paydesk"),
            text: format!(
                "{} invited you to join {merchant} on Paydesk as a {}.\n\n\
                 Open the link below within 72 hours to choose your password; it works once. \
                 If you did not expect this invitation, ignore this mail.",
                actor.user.email,
                role.label()
            ),
            link: Some(format!("/invitations/{token}")),
            kind: "invitation",
        },
    )
}

/// An Admin (in sudo mode) invites someone. Every wrong field is named at once. A
/// deactivated member of this merchant may be invited again: accepting brings their
/// account back.
pub fn invite(
    conn: &mut DbConn,
    actor: &Principal,
    input: NewInvitation,
    ip: &str,
) -> Result<Invitation, Error> {
    actor.require_admin()?;
    actor.require_sudo()?;
    let mut errors = FieldErrors::new();
    let email = validate::email(&input.email)
        .map_err(|e| errors.insert("email", e))
        .ok();
    let role = input
        .role
        .parse::<Role>()
        .map_err(|_| errors.insert("role", "Choose a role.".into()))
        .ok();
    if let Some(email) = &email {
        if let Some(existing) = User::find_by_email(conn, email)?
            && (existing.active || existing.merchant_id != actor.merchant.id)
        {
            errors.insert(
                "email",
                "Someone with this email already has a Paydesk account.".into(),
            );
        } else if Invitation::open_for_merchant(conn, &actor.merchant.id)?
            .iter()
            .any(|i| &i.email == email)
        {
            errors.insert(
                "email",
                format!("{email} is invited already: use Resend in the list of invitations."),
            );
        }
    }
    let (Some(email), Some(role), true) = (email, role, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let (token, token_hash) = new_token();
    let now = clock::now();
    let invitation = Invitation {
        id: crate::ids::new_id("inv"),
        merchant_id: actor.merchant.id.clone(),
        email: email.clone(),
        role: role.as_str().to_owned(),
        token_hash,
        invited_by: actor.user.email.clone(),
        created_at: now,
        expires_at: now + INVITATION_SECS,
        accepted_at: None,
        revoked_at: None,
    };
    crate::db::transaction(conn, |conn| {
        invitation.insert(conn)?;
        queue_mail(conn, actor, &email, role, &token)?;
        audit(conn, actor, "team.invited", &email, ip, role.as_str())?;
        Ok(invitation)
    })
}

/// The merchant's invitations that are neither accepted nor revoked.
pub fn pending_invitations(
    conn: &mut DbConn,
    merchant_id: &str,
) -> Result<Vec<PendingInvitation>, Error> {
    let now = clock::now();
    Ok(Invitation::open_for_merchant(conn, merchant_id)?
        .into_iter()
        .map(|i| PendingInvitation {
            expired: i.expires_at <= now,
            role: i.role.parse().unwrap_or(Role::Viewer),
            id: i.id,
            email: i.email,
            invited_by: i.invited_by,
            expires_at: i.expires_at,
        })
        .collect())
}

/// An open invitation of the actor's merchant; any other is NotFound.
fn open_of(conn: &mut DbConn, actor: &Principal, id: &str) -> Result<Invitation, Error> {
    match Invitation::find(conn, id)? {
        Some(i)
            if i.merchant_id == actor.merchant.id
                && i.accepted_at.is_none()
                && i.revoked_at.is_none() =>
        {
            Ok(i)
        }
        _ => Err(Error::NotFound),
    }
}

/// Sends the invitation again with a new link and 72 hours more; the old link stops
/// working.
pub fn resend_invitation(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
    ip: &str,
) -> Result<Invitation, Error> {
    actor.require_admin()?;
    actor.require_sudo()?;
    let invitation = open_of(conn, actor, id)?;
    let role = invitation.role.parse().unwrap_or(Role::Viewer);
    let (token, token_hash) = new_token();
    crate::db::transaction(conn, |conn| {
        Invitation::renew(
            conn,
            &invitation.id,
            &token_hash,
            clock::now() + INVITATION_SECS,
        )?;
        queue_mail(conn, actor, &invitation.email, role, &token)?;
        audit(
            conn,
            actor,
            "team.invitation_resent",
            &invitation.email,
            ip,
            "",
        )?;
        Ok(invitation)
    })
}

/// Withdraws an invitation: its link stops working.
pub fn revoke_invitation(
    conn: &mut DbConn,
    actor: &Principal,
    id: &str,
    ip: &str,
) -> Result<Invitation, Error> {
    actor.require_admin()?;
    actor.require_sudo()?;
    let invitation = open_of(conn, actor, id)?;
    crate::db::transaction(conn, |conn| {
        if !Invitation::revoke(conn, &invitation.id, clock::now())? {
            return Err(Error::NotFound);
        }
        audit(
            conn,
            actor,
            "team.invitation_revoked",
            &invitation.email,
            ip,
            "",
        )?;
        Ok(invitation)
    })
}

/// What the invitation page shows before the invitee chooses a password.
pub struct OpenInvitation {
    pub email: String,
    pub role: Role,
    pub merchant: String,
    pub invited_by: String,
    /// The team requires two-factor sign-in: the page says it is set up next.
    pub two_factor_required: bool,
}

/// The invitation a link's token opens, or why it does not.
pub fn open_invitation(
    conn: &mut DbConn,
    token: &str,
) -> Result<Result<(Invitation, OpenInvitation), Refusal>, Error> {
    let Some(invitation) = Invitation::find_by_token_hash(conn, &crate::crypto::hash(token))?
    else {
        return Ok(Err(Refusal::Unknown));
    };
    if invitation.accepted_at.is_some() {
        return Ok(Err(Refusal::Used));
    }
    if invitation.revoked_at.is_some() {
        return Ok(Err(Refusal::Revoked));
    }
    if invitation.expires_at <= clock::now() {
        return Ok(Err(Refusal::Expired(invitation.expires_at)));
    }
    if let Some(user) = User::find_by_email(conn, &invitation.email)?
        && (user.active || user.merchant_id != invitation.merchant_id)
    {
        return Ok(Err(Refusal::AccountExists));
    }
    let merchant = Merchant::find(conn, &invitation.merchant_id)?;
    let open = OpenInvitation {
        email: invitation.email.clone(),
        role: invitation.role.parse().unwrap_or(Role::Viewer),
        merchant: merchant.name,
        invited_by: invitation.invited_by.clone(),
        two_factor_required: merchant.require_2fa,
    };
    Ok(Ok((invitation, open)))
}

/// Accepts an invitation with the password the invitee chose, once, and signs them in
/// (when the team requires two-factor sign-in, the next page is its set-up). A
/// deactivated member invited again comes back with the new role and password.
pub fn accept_invitation(
    conn: &mut DbConn,
    tokens: &Tokens,
    token: &str,
    password: &str,
    password_hash: Option<String>,
    ip: &str,
) -> Result<Result<Issued, Refusal>, Error> {
    let (invitation, open) = match open_invitation(conn, token)? {
        Ok(found) => found,
        Err(refusal) => return Ok(Err(refusal)),
    };
    validate::password(password).map_err(|e| Error::field("password", e))?;
    let hash = hashed(password_hash)?;
    let now = clock::now();
    let accepted = crate::db::transaction(conn, |conn| {
        if !Invitation::take(conn, &invitation.id, now)? {
            return Ok(Err(Refusal::Used));
        }
        if open.role == Role::Admin {
            // Before the new Admin exists, so the mail goes to the Admins already there.
            notify_admin_added(conn, &invitation, &open)?;
        }
        let user = match User::find_by_email(conn, &invitation.email)? {
            Some(back) if !back.active && back.merchant_id == invitation.merchant_id => {
                User::set_password(conn, &back.id, &hash)?;
                User::set_role(conn, &back.id, open.role)?;
                User::set_active(conn, &back.id, true)?;
                throttle::unlock(conn, &back.email)?;
                User::find(conn, &back.id)?
            }
            Some(_) => return Err(Error::Conflict("the email has an account".into())),
            None => {
                let user = new_user(&invitation.merchant_id, &invitation.email, open.role, hash);
                user.insert(conn)?;
                user
            }
        };
        AuditEntry::record(
            conn,
            Some(&invitation.merchant_id),
            &user.email,
            "team.invitation_accepted",
            &user.email,
            ip,
            &format!(
                "{} (invited by {})",
                open.role.as_str(),
                invitation.invited_by
            ),
        )?;
        Ok::<_, Error>(Ok(user))
    });
    match accepted {
        Ok(Ok(user)) => Ok(Ok(start_session(conn, tokens, Purpose::Web, user, ip)?)),
        Ok(Err(refusal)) => Ok(Err(refusal)),
        // Someone else took the email between the check and the transaction.
        Err(Error::Conflict(_)) => Ok(Err(Refusal::AccountExists)),
        Err(e) => Err(e),
    }
}

/// "An Admin was added" to the merchant's Admins (each may switch it off on /account).
fn notify_admin_added(
    conn: &mut DbConn,
    invitation: &Invitation,
    open: &OpenInvitation,
) -> Result<(), Error> {
    let notice = Notice {
        subject: format!("{} joined {} as an Admin", invitation.email, open.merchant),
        text: format!(
            "{} accepted the invitation {} sent and is now an Admin of {} on Paydesk. \
             If you did not expect this, look at Team and the audit log.",
            invitation.email, invitation.invited_by, open.merchant
        ),
        link: Some("/team"),
    };
    notify(
        conn,
        &invitation.merchant_id,
        Kind::AdminAdded,
        None,
        &notice,
    )?;
    Ok(())
}
