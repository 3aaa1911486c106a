use serde::Serialize;

use crate::decision::CustomerAction;

/// The normalised reason a payment was declined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeclineCategory {
    /// Fraud suspected, card lost or stolen.
    Fraud,
    /// The cardholder stopped this or all payments to the merchant.
    Revoked,
    /// Account closed or invalid.
    ClosedAccount,
    /// Transaction type not allowed for the card.
    NotPermitted,
    /// Not enough funds or credit.
    InsufficientFunds,
    /// Amount or frequency limit reached.
    VelocityLimit,
    /// Card expired or expiry wrong.
    Expired,
    /// Number, CVC, PIN or address wrong.
    InvalidData,
    /// Issuer or network could not be reached; processing error.
    IssuerUnavailable,
    /// Strong customer authentication (3-D Secure, PIN) needed.
    AuthenticationRequired,
    /// Declined without a specific reason.
    Generic,
    /// Same transaction already submitted.
    Duplicate,
}

impl DeclineCategory {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fraud => "fraud",
            Self::Revoked => "revoked",
            Self::ClosedAccount => "closed_account",
            Self::NotPermitted => "not_permitted",
            Self::InsufficientFunds => "insufficient_funds",
            Self::VelocityLimit => "velocity_limit",
            Self::Expired => "expired",
            Self::InvalidData => "invalid_data",
            Self::IssuerUnavailable => "issuer_unavailable",
            Self::AuthenticationRequired => "authentication_required",
            Self::Generic => "generic",
            Self::Duplicate => "duplicate",
        }
    }

    /// Whether a decline of this category may succeed later unchanged.
    pub fn soft(self) -> bool {
        matches!(
            self,
            Self::InsufficientFunds
                | Self::VelocityLimit
                | Self::IssuerUnavailable
                | Self::AuthenticationRequired
                | Self::Generic
                | Self::Duplicate
        )
    }

    /// Whether the merchant may retry without the customer acting first.
    /// Authentication needs the customer; duplicates need a lookup, not a retry.
    pub fn retryable(self) -> bool {
        matches!(
            self,
            Self::InsufficientFunds | Self::VelocityLimit | Self::IssuerUnavailable | Self::Generic
        )
    }

    /// What the customer should do.
    pub fn customer_action(self) -> CustomerAction {
        match self {
            Self::Fraud | Self::Revoked | Self::NotPermitted => CustomerAction::UseAnotherMethod,
            Self::ClosedAccount | Self::Expired | Self::InvalidData => CustomerAction::UpdateCard,
            Self::AuthenticationRequired => CustomerAction::Authenticate,
            Self::VelocityLimit | Self::Generic => CustomerAction::ContactBank,
            Self::InsufficientFunds | Self::IssuerUnavailable | Self::Duplicate => {
                CustomerAction::None
            }
        }
    }

    /// Shopper-facing text. Fraud and revocations get the generic wording on
    /// purpose: telling a fraudster why helps the fraudster.
    pub fn shopper_message(self) -> &'static str {
        match self {
            Self::Fraud | Self::Revoked | Self::Generic => {
                "Your card was declined. Please use another payment method or contact your bank."
            }
            Self::ClosedAccount => "This card can no longer be used. Please use another card.",
            Self::NotPermitted => {
                "Your card does not support this purchase. Please use another payment method."
            }
            Self::InsufficientFunds => {
                "Your card has insufficient funds. Please use another payment method."
            }
            Self::VelocityLimit => {
                "Your card has reached its limit. Please contact your bank or use another card."
            }
            Self::Expired => "Your card has expired or the expiry date is wrong. Please check it.",
            Self::InvalidData => {
                "Some card details are incorrect. Please check the number, security code and address."
            }
            Self::IssuerUnavailable => {
                "We could not reach your bank. Please try again in a few minutes."
            }
            Self::AuthenticationRequired => "Your bank needs you to confirm this payment.",
            Self::Duplicate => "This payment was already submitted.",
        }
    }
}

/// Issuer advice that travels with a decline (Stripe `advice_code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advice {
    /// Retrying later may work.
    TryAgainLater,
    /// Never retry these credentials.
    DoNotTryAgain,
    /// Get corrected card data first.
    ConfirmCardData,
}

impl Advice {
    /// Parses Stripe's advice codes (case-insensitive).
    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().to_ascii_lowercase().as_str() {
            "try_again_later" => Some(Self::TryAgainLater),
            "do_not_try_again" => Some(Self::DoNotTryAgain),
            "confirm_card_data" => Some(Self::ConfirmCardData),
            _ => None,
        }
    }
}
