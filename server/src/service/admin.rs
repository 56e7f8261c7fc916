//! The admin's work on the staff side: accounts (add, change role, unit or
//! password, disable), each change in the audit log. Units, rules, the
//! calendar and categories are the district's configuration file, checked
//! at start-up (see `district::config`).

use super::ServiceError;
use super::reports::ReportService;
use crate::storage::{Role, Staff, StaffAccount};

/// A new account, or new settings for an existing one.
#[derive(Debug, Clone)]
pub struct AccountChange {
    /// Sign-in name.
    pub name: String,
    /// Role code.
    pub role: String,
    /// Unit code (an officer's).
    pub unit: Option<String>,
    /// New password (at least 8 characters).
    pub password: String,
}

fn admin_only(staff: &Staff) -> Result<(), ServiceError> {
    if staff.role == Role::Admin { Ok(()) } else { Err(ServiceError::Forbidden) }
}

impl ReportService {
    /// Every staff account. Admin only.
    pub async fn accounts(&self, staff: &Staff) -> Result<Vec<StaffAccount>, ServiceError> {
        admin_only(staff)?;
        Ok(self.store().staff_accounts().await?)
    }

    /// Add an account or change one (role, unit, password; a disabled one
    /// is enabled again). Admin only; audited, without the password.
    pub async fn save_account(&self, staff: &Staff, change: AccountChange) -> Result<(), ServiceError> {
        admin_only(staff)?;
        let name = change.name.trim().to_owned();
        let name_ok = !name.is_empty()
            && name.chars().count() <= 64
            && name.chars().all(|c| c.is_alphanumeric() || ".-_".contains(c));
        if !name_ok {
            return Err(ServiceError::refused(
                "bad_name",
                None,
                "Tên đăng nhập: chữ, số, dấu chấm, gạch; tối đa 64 ký tự",
                "Sign-in name: letters, digits, dot, dash, underscore; at most 64",
            ));
        }
        let Some(role) = Role::from_code(change.role.trim()) else {
            return Err(ServiceError::refused("bad_role", None, "Vai trò không hợp lệ", "Unknown role"));
        };
        let unit = change.unit.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
        if let Some(u) = &unit
            && self.district().unit(u).is_none()
        {
            return Err(ServiceError::refused("unknown_unit", None, "Không có đơn vị này", "No such unit"));
        }
        if role == Role::Officer && unit.is_none() {
            return Err(ServiceError::refused(
                "unit_required",
                None,
                "Cán bộ cần có đơn vị",
                "An officer needs a unit",
            ));
        }
        if change.password.chars().count() < 8 {
            return Err(ServiceError::refused(
                "password_short",
                None,
                "Mật khẩu cần ít nhất 8 ký tự",
                "The password needs at least 8 characters",
            ));
        }
        // argon2 takes a while: off the async threads.
        let password = change.password;
        let hash = tokio::task::spawn_blocking(move || crate::staff::hash_password(&password))
            .await
            .map_err(|_| ServiceError::refused("hash_failed", None, "Không băm được mật khẩu", "Hashing failed"))?
            .map_err(|_| ServiceError::refused("hash_failed", None, "Không băm được mật khẩu", "Hashing failed"))?;
        self.store().put_staff(name.clone(), hash, role, unit.clone()).await?;
        let detail = format!("{}{}", role.code(), unit.map(|u| format!(" {u}")).unwrap_or_default());
        self.audit(staff, "account", &name, &detail).await?;
        Ok(())
    }

    /// Disable an account: it signs in no more and its sessions end; its
    /// name stays on what it did. Admin only; not one's own.
    pub async fn disable_account(&self, staff: &Staff, name: &str) -> Result<(), ServiceError> {
        admin_only(staff)?;
        if name == staff.name {
            return Err(ServiceError::refused(
                "own_account",
                None,
                "Không thể khoá tài khoản của chính mình",
                "You cannot disable your own account",
            ));
        }
        self.store().disable_staff(name.to_owned()).await?;
        self.audit(staff, "account_disabled", name, "").await?;
        Ok(())
    }
}
