//! What can be wrong with a citizen's or an officer's input. Each variant names the form field
//! it belongs to and the message key (in `locales/*/main.ftl`) that explains it in both languages.

/// A reason to refuse input, shown to the person who typed it. Never carries the input itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("the description is empty")]
    DescriptionEmpty,
    #[error("the description is too long")]
    DescriptionTooLong,
    #[error("the category is not one we know")]
    CategoryUnknown,
    #[error("the thana is not one we know")]
    ThanaUnknown,
    #[error("the location is not a valid point")]
    PointMalformed,
    #[error("the location is outside the range of latitude and longitude")]
    PointOutOfRange,
    #[error("the time of the event is not a valid date and time")]
    EventTimeMalformed,
    #[error("the time of the event is in the future")]
    EventTimeInFuture,
    #[error("the time of the event is too long ago")]
    EventTimeTooOld,
    #[error("the name is too long")]
    ContactNameTooLong,
    #[error("the phone number is not a Bangladeshi mobile number")]
    PhoneMalformed,
    #[error("the receipt is not 25 digits")]
    ReceiptMalformed,
    #[error("no tip has this receipt")]
    ReceiptUnknown,
    #[error("too many wrong receipts")]
    TooManyGuesses,
    #[error("the message is empty")]
    MessageEmpty,
    #[error("the message is too long")]
    MessageTooLong,
    #[error("a form field was changed or is missing")]
    FormTampered,
    #[error("the request is too large")]
    BodyTooLarge,
    #[error("the request body is not JSON of the documented shape")]
    RequestMalformed,
    #[error("this address does not take this method")]
    MethodNotAllowed,
    #[error("this change of status is not allowed")]
    StatusChangeNotAllowed,
    #[error("wrong username or password")]
    LoginFailed,
    #[error("too many failed log-ins")]
    TooManyLogins,
    #[error("the username is not 3 to 32 letters, digits, dots, dashes or underscores")]
    UsernameMalformed,
    #[error("the username is taken")]
    UsernameTaken,
    #[error("the role is not one we know")]
    RoleUnknown,
    #[error("the place does not fit the role")]
    PlaceWrongForRole,
    #[error("the new password is shorter than 12 characters")]
    PasswordTooShort,
    #[error("the new password is longer than 128 characters")]
    PasswordTooLong,
    #[error("the new password is too common or too easy to guess")]
    PasswordCommon,
    #[error("the two new passwords differ")]
    PasswordMismatch,
    #[error("the code is wrong or already used")]
    CodeWrong,
    #[error("a transfer needs a reason")]
    ReasonMissing,
    #[error("the thana or unit is not one we know")]
    PlaceUnknown,
    #[error("no active officer of this desk has this username")]
    OfficerUnknown,
    #[error("no tip has this reference")]
    TipUnknown,
    #[error("a tip cannot be a duplicate of itself or of a duplicate")]
    DuplicateOfItself,
    #[error("the due date is not a valid date")]
    DueDateMalformed,
    #[error("the routing rule is incomplete")]
    RuleMalformed,
    #[error("the rule for every category and every place cannot be removed")]
    DefaultRuleKept,
    #[error("the last active administrator cannot be disabled or given another role")]
    LastAdministrator,
    #[error("the new password is the same as the current one")]
    PasswordUnchanged,
    #[error("an administrator cannot disable their own account or change their own role")]
    OwnAccount,
    #[error("the name is longer than 100 characters")]
    NameTooLong,
    #[error("the tip is already at this desk")]
    SameDesk,
    #[error("the current password is wrong")]
    CurrentPasswordWrong,
    #[error("the due date is before today")]
    DueDateInPast,
    #[error("a file is empty")]
    FileEmpty,
    #[error("a file is not a kind we take")]
    FileKindRefused,
    #[error("a file is larger than the {limit_mb} MB limit of its kind")]
    FileTooLarge { limit_mb: u32 },
    #[error("a PDF has more pages or objects than can be cleaned")]
    DocumentTooComplex,
    #[error("a file is damaged or cut short")]
    FileDamaged,
    #[error("a photo has too many pixels")]
    FileTooManyPixels,
    #[error("a file hides other data after its content")]
    FilePolyglot,
    #[error("more files than the {max} a tip may carry")]
    TooManyFiles { max: u32 },
    #[error("an upload is unknown or expired")]
    UploadUnknown,
    #[error("an upload has not finished")]
    UploadIncomplete,
    #[error("too many uploads are open")]
    UploadsBusy,
    #[error("more audit entries match than one export holds")]
    ExportTooLarge,
    #[error("the tip was moved to another desk after the page was loaded")]
    DeskChanged,
    #[error("a tip cannot be marked as a duplicate of one of its own duplicates")]
    DuplicateCycle,
    #[error("a phone number of a contact is not one that can be dialled")]
    ContactPhoneMalformed,
    #[error("the address is longer than 200 characters")]
    AddressTooLong,
    #[error("the name of the officer in charge is longer than 100 characters")]
    OfficerNameTooLong,
    #[error("the station's location is not a valid point")]
    StationPointMalformed,
    #[error("the station's location is outside KMP's area")]
    StationOutsideArea,
    // SOS alerts.
    #[error("an SOS alert came with neither a location nor a written place")]
    SosLocationMissing,
    #[error("too many SOS alerts right now")]
    SosTooMany,
    #[error("the call-back number is not a Bangladeshi mobile number")]
    CallbackMalformed,
    #[error("the written place is too long")]
    PlaceTooLong,
    #[error("a dispatch needs a note of who or what was sent")]
    DispatchNoteMissing,
    #[error("the dispatch note is too long")]
    DispatchNoteTooLong,
    #[error("the outcome is not one we know")]
    OutcomeUnknown,
    #[error("this step is not allowed for the alert as it stands")]
    SosChangeNotAllowed,
    #[error("the phone's location for an SOS alert could not be used")]
    SosPointUnusable,
    #[error("a published FAQ entry has no Bangla question")]
    FaqQuestionBnMissing,
    #[error("a published FAQ entry has no English question")]
    FaqQuestionEnMissing,
    #[error("a published FAQ entry has no Bangla answer")]
    FaqAnswerBnMissing,
    #[error("a published FAQ entry has no English answer")]
    FaqAnswerEnMissing,
    #[error("a question is too long")]
    FaqQuestionTooLong,
    #[error("an answer is too long")]
    FaqAnswerTooLong,
    #[error("the FAQ group is not one we know")]
    FaqGroupUnknown,
    #[error("the group has no Bangla title")]
    FaqGroupTitleBnMissing,
    #[error("the group has no English title")]
    FaqGroupTitleEnMissing,
    #[error("the group's title is too long")]
    FaqGroupTitleTooLong,
    #[error("a group with questions cannot be deleted")]
    FaqGroupNotEmpty,
    #[error("a deletion was not confirmed")]
    DeleteNotConfirmed,
    #[error("a post has no title in either language")]
    NewsTitleMissing,
    #[error("a published post has no Bangla title")]
    NewsTitleBnMissing,
    #[error("a published post has no English title")]
    NewsTitleEnMissing,
    #[error("a published post has no Bangla summary")]
    NewsSummaryBnMissing,
    #[error("a published post has no English summary")]
    NewsSummaryEnMissing,
    #[error("a published post has no Bangla text")]
    NewsBodyBnMissing,
    #[error("a published post has no English text")]
    NewsBodyEnMissing,
    #[error("a post's title is too long")]
    NewsTitleTooLong,
    #[error("a post's summary is too long")]
    NewsSummaryTooLong,
    #[error("a post's text is too long")]
    NewsBodyTooLong,
    #[error("a picture's description is too long")]
    NewsAltTooLong,
    #[error("the picture is not a JPEG, PNG or WebP photo")]
    PictureKindRefused,
    // The JSON API's reading routes and its SOS.
    #[error("the search is longer than a search may be")]
    QueryTooLong,
    #[error("the page number is not a whole number from 1")]
    PageNumberMalformed,
    #[error("no published post has this address")]
    PostUnknown,
    #[error("the location is outside Bangladesh")]
    PointOutsideBangladesh,
    #[error("no thana boundaries are loaded, so the nearest thana cannot be found")]
    NearestUnavailable,
    #[error("an SOS alert from the app came without the phone's location")]
    SosLocationRequired,
    #[error("an SOS alert from the app came without a usable token")]
    SosTokenMalformed,
    #[error("an SOS alert from the app was not JSON of the documented shape")]
    SosRequestMalformed,
}

impl InputError {
    /// A stable code for the JSON API and the message key, in snake case.
    pub fn code(self) -> &'static str {
        match self {
            Self::DescriptionEmpty => "description_empty",
            Self::DescriptionTooLong => "description_too_long",
            Self::CategoryUnknown => "category_unknown",
            Self::ThanaUnknown => "thana_unknown",
            Self::PointMalformed => "point_malformed",
            Self::PointOutOfRange => "point_out_of_range",
            Self::EventTimeMalformed => "event_time_malformed",
            Self::EventTimeInFuture => "event_time_in_future",
            Self::EventTimeTooOld => "event_time_too_old",
            Self::ContactNameTooLong => "contact_name_too_long",
            Self::PhoneMalformed => "phone_malformed",
            Self::ReceiptMalformed => "receipt_malformed",
            Self::ReceiptUnknown => "receipt_unknown",
            Self::TooManyGuesses => "too_many_guesses",
            Self::MessageEmpty => "message_empty",
            Self::MessageTooLong => "message_too_long",
            Self::FormTampered => "form_tampered",
            Self::BodyTooLarge => "body_too_large",
            Self::RequestMalformed => "request_malformed",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::StatusChangeNotAllowed => "status_change_not_allowed",
            Self::LoginFailed => "login_failed",
            Self::TooManyLogins => "too_many_logins",
            Self::UsernameMalformed => "username_malformed",
            Self::UsernameTaken => "username_taken",
            Self::RoleUnknown => "role_unknown",
            Self::PlaceWrongForRole => "place_wrong_for_role",
            Self::PasswordTooShort => "password_too_short",
            Self::PasswordTooLong => "password_too_long",
            Self::PasswordCommon => "password_common",
            Self::PasswordMismatch => "password_mismatch",
            Self::CodeWrong => "code_wrong",
            Self::ReasonMissing => "reason_missing",
            Self::PlaceUnknown => "place_unknown",
            Self::OfficerUnknown => "officer_unknown",
            Self::TipUnknown => "tip_unknown",
            Self::DuplicateOfItself => "duplicate_of_itself",
            Self::DueDateMalformed => "due_date_malformed",
            Self::RuleMalformed => "rule_malformed",
            Self::DefaultRuleKept => "default_rule_kept",
            Self::LastAdministrator => "last_administrator",
            Self::PasswordUnchanged => "password_unchanged",
            Self::OwnAccount => "own_account",
            Self::NameTooLong => "name_too_long",
            Self::SameDesk => "same_desk",
            Self::CurrentPasswordWrong => "current_password_wrong",
            Self::DueDateInPast => "due_date_in_past",
            Self::FileEmpty => "file_empty",
            Self::FileKindRefused => "file_kind_refused",
            Self::FileTooLarge { .. } => "file_too_large",
            Self::DocumentTooComplex => "document_too_complex",
            Self::FileDamaged => "file_damaged",
            Self::FileTooManyPixels => "file_too_many_pixels",
            Self::FilePolyglot => "file_polyglot",
            Self::TooManyFiles { .. } => "too_many_files",
            Self::UploadUnknown => "upload_unknown",
            Self::UploadIncomplete => "upload_incomplete",
            Self::UploadsBusy => "uploads_busy",
            Self::ExportTooLarge => "export_too_large",
            Self::DeskChanged => "desk_changed",
            Self::DuplicateCycle => "duplicate_cycle",
            Self::ContactPhoneMalformed => "contact_phone_malformed",
            Self::AddressTooLong => "address_too_long",
            Self::OfficerNameTooLong => "officer_name_too_long",
            Self::StationPointMalformed => "station_point_malformed",
            Self::StationOutsideArea => "station_outside_area",
            Self::SosLocationMissing => "sos_location_missing",
            Self::SosTooMany => "sos_too_many",
            Self::CallbackMalformed => "callback_malformed",
            Self::PlaceTooLong => "place_too_long",
            Self::DispatchNoteMissing => "dispatch_note_missing",
            Self::DispatchNoteTooLong => "dispatch_note_too_long",
            Self::OutcomeUnknown => "outcome_unknown",
            Self::SosChangeNotAllowed => "sos_change_not_allowed",
            Self::SosPointUnusable => "sos_point_unusable",
            Self::FaqQuestionBnMissing => "faq_question_bn_missing",
            Self::FaqQuestionEnMissing => "faq_question_en_missing",
            Self::FaqAnswerBnMissing => "faq_answer_bn_missing",
            Self::FaqAnswerEnMissing => "faq_answer_en_missing",
            Self::FaqQuestionTooLong => "faq_question_too_long",
            Self::FaqAnswerTooLong => "faq_answer_too_long",
            Self::FaqGroupUnknown => "faq_group_unknown",
            Self::FaqGroupTitleBnMissing => "faq_group_title_bn_missing",
            Self::FaqGroupTitleEnMissing => "faq_group_title_en_missing",
            Self::FaqGroupTitleTooLong => "faq_group_title_too_long",
            Self::FaqGroupNotEmpty => "faq_group_not_empty",
            Self::DeleteNotConfirmed => "delete_not_confirmed",
            Self::NewsTitleMissing => "news_title_missing",
            Self::NewsTitleBnMissing => "news_title_bn_missing",
            Self::NewsTitleEnMissing => "news_title_en_missing",
            Self::NewsSummaryBnMissing => "news_summary_bn_missing",
            Self::NewsSummaryEnMissing => "news_summary_en_missing",
            Self::NewsBodyBnMissing => "news_body_bn_missing",
            Self::NewsBodyEnMissing => "news_body_en_missing",
            Self::NewsTitleTooLong => "news_title_too_long",
            Self::NewsSummaryTooLong => "news_summary_too_long",
            Self::NewsBodyTooLong => "news_body_too_long",
            Self::NewsAltTooLong => "news_alt_too_long",
            Self::PictureKindRefused => "picture_kind_refused",
            Self::QueryTooLong => "query_too_long",
            Self::PageNumberMalformed => "page_number_malformed",
            Self::PostUnknown => "post_unknown",
            Self::PointOutsideBangladesh => "point_outside_bangladesh",
            Self::NearestUnavailable => "nearest_unavailable",
            Self::SosLocationRequired => "sos_location_required",
            Self::SosTokenMalformed => "sos_token_malformed",
            Self::SosRequestMalformed => "sos_request_malformed",
        }
    }

    /// The form field the message belongs beside, or `None` for the whole form.
    pub fn field(self) -> Option<&'static str> {
        match self {
            Self::DescriptionEmpty | Self::DescriptionTooLong => Some("description"),
            Self::CategoryUnknown => Some("category"),
            Self::ThanaUnknown => Some("thana"),
            Self::PointMalformed | Self::PointOutOfRange => Some("location"),
            Self::EventTimeMalformed | Self::EventTimeInFuture | Self::EventTimeTooOld => {
                Some("event_time")
            }
            Self::ContactNameTooLong => Some("contact_name"),
            Self::PhoneMalformed => Some("contact_phone"),
            Self::ReceiptMalformed | Self::ReceiptUnknown | Self::TooManyGuesses => Some("receipt"),
            Self::MessageEmpty | Self::MessageTooLong => Some("message"),
            Self::FormTampered
            | Self::BodyTooLarge
            | Self::RequestMalformed
            | Self::MethodNotAllowed
            | Self::StatusChangeNotAllowed => None,
            Self::LoginFailed | Self::TooManyLogins => None,
            Self::UsernameMalformed | Self::UsernameTaken => Some("username"),
            Self::RoleUnknown => Some("role"),
            Self::PlaceWrongForRole => Some("place"),
            Self::PasswordTooShort => Some("new_password"),
            Self::PasswordTooLong => Some("new_password"),
            Self::PasswordCommon => Some("new_password"),
            Self::PasswordMismatch => Some("confirm_password"),
            Self::CodeWrong => Some("code"),
            Self::ReasonMissing => Some("reason"),
            Self::PlaceUnknown => Some("place"),
            Self::OfficerUnknown => Some("officer"),
            Self::TipUnknown => Some("original"),
            Self::DuplicateOfItself => Some("original"),
            Self::DueDateMalformed => Some("due"),
            Self::RuleMalformed => None,
            Self::DefaultRuleKept => None,
            Self::LastAdministrator => None,
            Self::PasswordUnchanged => Some("new_password"),
            Self::OwnAccount => None,
            Self::NameTooLong => Some("name"),
            Self::SameDesk => Some("place"),
            Self::CurrentPasswordWrong => Some("current_password"),
            Self::DueDateInPast => Some("due"),
            Self::FileEmpty => Some("files"),
            Self::FileKindRefused => Some("files"),
            Self::FileTooLarge { .. } | Self::DocumentTooComplex => Some("files"),
            Self::FileDamaged => Some("files"),
            Self::FileTooManyPixels => Some("files"),
            Self::FilePolyglot => Some("files"),
            Self::TooManyFiles { .. } => Some("files"),
            Self::UploadUnknown | Self::UploadIncomplete | Self::UploadsBusy => Some("files"),
            Self::ExportTooLarge | Self::DeskChanged => None,
            Self::DuplicateCycle => Some("original"),
            Self::ContactPhoneMalformed => Some("phone"),
            Self::AddressTooLong => Some("address"),
            Self::OfficerNameTooLong => Some("officer_in_charge"),
            Self::StationPointMalformed | Self::StationOutsideArea => Some("station"),
            Self::SosLocationMissing | Self::PlaceTooLong | Self::SosPointUnusable => Some("place"),
            Self::SosTooMany | Self::SosChangeNotAllowed => None,
            Self::CallbackMalformed => Some("callback"),
            Self::DispatchNoteMissing | Self::DispatchNoteTooLong => Some("note"),
            Self::OutcomeUnknown => Some("outcome"),
            Self::FaqQuestionBnMissing => Some("question_bn"),
            Self::FaqQuestionEnMissing => Some("question_en"),
            Self::FaqAnswerBnMissing => Some("answer_bn"),
            Self::FaqAnswerEnMissing => Some("answer_en"),
            Self::FaqQuestionTooLong => Some("question"),
            Self::FaqAnswerTooLong => Some("answer"),
            Self::FaqGroupUnknown => Some("group"),
            Self::FaqGroupTitleBnMissing => Some("title_bn"),
            Self::FaqGroupTitleEnMissing => Some("title_en"),
            Self::FaqGroupTitleTooLong => Some("title"),
            Self::FaqGroupNotEmpty => None,
            Self::DeleteNotConfirmed => Some("confirm"),
            Self::NewsTitleMissing => Some("title"),
            Self::NewsTitleBnMissing => Some("title_bn"),
            Self::NewsTitleEnMissing => Some("title_en"),
            Self::NewsSummaryBnMissing => Some("summary_bn"),
            Self::NewsSummaryEnMissing => Some("summary_en"),
            Self::NewsBodyBnMissing => Some("body_bn"),
            Self::NewsBodyEnMissing => Some("body_en"),
            Self::NewsTitleTooLong => Some("title"),
            Self::NewsSummaryTooLong => Some("summary"),
            Self::NewsBodyTooLong => Some("body"),
            Self::NewsAltTooLong => Some("alt"),
            Self::PictureKindRefused => Some("files"),
            Self::QueryTooLong => Some("q"),
            Self::PageNumberMalformed => Some("page"),
            Self::PostUnknown => Some("post"),
            Self::PointOutsideBangladesh | Self::SosLocationRequired => Some("location"),
            Self::NearestUnavailable => None,
            Self::SosTokenMalformed => Some("token"),
            Self::SosRequestMalformed => None,
        }
    }

    /// The Fluent message key.
    pub fn message_key(self) -> String {
        format!("err-{}", self.code().replace('_', "-"))
    }

    /// The numbers the message names, as Fluent arguments.
    pub fn message_args(self) -> Vec<(&'static str, u64)> {
        match self {
            Self::FileTooLarge { limit_mb } => vec![("limit", u64::from(limit_mb))],
            Self::TooManyFiles { max } => vec![("max", u64::from(max))],
            _ => Vec::new(),
        }
    }

    /// The HTTP status this refusal is answered with.
    pub fn status(self) -> u16 {
        match self {
            Self::ReceiptUnknown | Self::PostUnknown => 404,
            Self::NearestUnavailable => 503,
            Self::TooManyGuesses | Self::TooManyLogins | Self::UploadsBusy | Self::SosTooMany => {
                429
            }
            Self::UploadUnknown => 404,
            Self::BodyTooLarge | Self::FileTooLarge { .. } => 413,
            Self::FileKindRefused | Self::PictureKindRefused => 415,
            Self::RequestMalformed | Self::SosRequestMalformed => 400,
            Self::MethodNotAllowed => 405,
            Self::LoginFailed => 401,
            Self::CodeWrong | Self::CurrentPasswordWrong => 401,
            Self::StatusChangeNotAllowed
            | Self::UsernameTaken
            | Self::DefaultRuleKept
            | Self::LastAdministrator
            | Self::OwnAccount
            | Self::DeskChanged
            | Self::SosChangeNotAllowed
            | Self::FaqGroupNotEmpty => 409,
            _ => 422,
        }
    }

    /// Every variant, for tests that check each has a message in both languages.
    pub const ALL: &[InputError] = &[
        Self::DescriptionEmpty,
        Self::DescriptionTooLong,
        Self::CategoryUnknown,
        Self::ThanaUnknown,
        Self::PointMalformed,
        Self::PointOutOfRange,
        Self::EventTimeMalformed,
        Self::EventTimeInFuture,
        Self::EventTimeTooOld,
        Self::ContactNameTooLong,
        Self::PhoneMalformed,
        Self::ReceiptMalformed,
        Self::ReceiptUnknown,
        Self::TooManyGuesses,
        Self::MessageEmpty,
        Self::MessageTooLong,
        Self::FormTampered,
        Self::BodyTooLarge,
        Self::RequestMalformed,
        Self::MethodNotAllowed,
        Self::StatusChangeNotAllowed,
        Self::LoginFailed,
        Self::TooManyLogins,
        Self::UsernameMalformed,
        Self::UsernameTaken,
        Self::RoleUnknown,
        Self::PlaceWrongForRole,
        Self::PasswordTooShort,
        Self::PasswordTooLong,
        Self::PasswordCommon,
        Self::PasswordMismatch,
        Self::CodeWrong,
        Self::ReasonMissing,
        Self::PlaceUnknown,
        Self::OfficerUnknown,
        Self::TipUnknown,
        Self::DuplicateOfItself,
        Self::DueDateMalformed,
        Self::RuleMalformed,
        Self::DefaultRuleKept,
        Self::LastAdministrator,
        Self::PasswordUnchanged,
        Self::OwnAccount,
        Self::NameTooLong,
        Self::SameDesk,
        Self::CurrentPasswordWrong,
        Self::DueDateInPast,
        Self::FileEmpty,
        Self::FileKindRefused,
        Self::FileTooLarge { limit_mb: 25 },
        Self::DocumentTooComplex,
        Self::FileDamaged,
        Self::FileTooManyPixels,
        Self::FilePolyglot,
        Self::TooManyFiles { max: 5 },
        Self::UploadUnknown,
        Self::UploadIncomplete,
        Self::UploadsBusy,
        Self::ExportTooLarge,
        Self::DeskChanged,
        Self::DuplicateCycle,
        Self::ContactPhoneMalformed,
        Self::AddressTooLong,
        Self::OfficerNameTooLong,
        Self::StationPointMalformed,
        Self::StationOutsideArea,
        Self::SosLocationMissing,
        Self::SosTooMany,
        Self::CallbackMalformed,
        Self::PlaceTooLong,
        Self::DispatchNoteMissing,
        Self::DispatchNoteTooLong,
        Self::OutcomeUnknown,
        Self::SosChangeNotAllowed,
        Self::SosPointUnusable,
        Self::FaqQuestionBnMissing,
        Self::FaqQuestionEnMissing,
        Self::FaqAnswerBnMissing,
        Self::FaqAnswerEnMissing,
        Self::FaqQuestionTooLong,
        Self::FaqAnswerTooLong,
        Self::FaqGroupUnknown,
        Self::FaqGroupTitleBnMissing,
        Self::FaqGroupTitleEnMissing,
        Self::FaqGroupTitleTooLong,
        Self::FaqGroupNotEmpty,
        Self::DeleteNotConfirmed,
        Self::NewsTitleMissing,
        Self::NewsTitleBnMissing,
        Self::NewsTitleEnMissing,
        Self::NewsSummaryBnMissing,
        Self::NewsSummaryEnMissing,
        Self::NewsBodyBnMissing,
        Self::NewsBodyEnMissing,
        Self::NewsTitleTooLong,
        Self::NewsSummaryTooLong,
        Self::NewsBodyTooLong,
        Self::NewsAltTooLong,
        Self::PictureKindRefused,
        Self::QueryTooLong,
        Self::PageNumberMalformed,
        Self::PostUnknown,
        Self::PointOutsideBangladesh,
        Self::NearestUnavailable,
        Self::SosLocationRequired,
        Self::SosTokenMalformed,
        Self::SosRequestMalformed,
    ];
}
