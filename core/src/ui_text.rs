//! Every label the phone apps show, in Vietnamese and English, in one
//! table: the Android and iOS shells read it through the FFI instead of
//! keeping two translations each (and drifting apart). Messages that carry
//! data (errors, statuses, relative times) come with the data instead.

use crate::Lang;

macro_rules! texts {
    ($($(#[$doc:meta])* $key:ident => $vi:literal, $en:literal;)*) => {
        /// The apps' labels in one language (see [`UiTexts::new`]).
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
        pub struct UiTexts {
            $($(#[$doc])* pub $key: String,)*
        }

        impl UiTexts {
            /// All labels in `lang`.
            pub fn new(lang: Lang) -> UiTexts {
                match lang {
                    Lang::Vi => UiTexts { $($key: $vi.to_owned(),)* },
                    Lang::En => UiTexts { $($key: $en.to_owned(),)* },
                }
            }
        }
    };
}

texts! {
    /// App name.
    app_name => "Phản Ánh", "Phản Ánh";
    /// The list of the user's reports.
    my_reports => "Phản ánh của tôi", "My reports";
    /// Button: start a new report.
    new_report => "Phản ánh mới", "New report";
    /// The list is empty.
    no_reports => "Chưa có phản ánh nào. Hãy chụp ảnh sự việc và gửi cho chính quyền.", "No reports yet. Take a photo of the problem and send it to the district.";
    /// Sync indicator: sending now.
    sync_sending => "Đang gửi…", "Sending…";
    /// Sync indicator: nothing waiting.
    sync_done => "Đã gửi hết", "All sent";
    /// Sync indicator: reports wait for a connection.
    sync_offline => "Chưa có mạng — sẽ tự gửi khi có mạng", "Offline — will send when you are online";
    /// Sync indicator: some reports wait to be sent (count follows).
    sync_waiting => "Đang chờ gửi", "Waiting to send";
    /// Hint (and screen-reader name) of the search field over "my reports".
    search => "Tìm trong phản ánh của tôi", "Search my reports";
    /// The search matched nothing.
    no_matches => "Không có phản ánh nào khớp", "No reports match";
    /// Button: sync now.
    sync_now => "Gửi ngay", "Send now";
    /// Screen title: editing a report.
    edit_report => "Soạn phản ánh", "Edit report";
    /// Field: category.
    category => "Loại sự việc", "Category";
    /// The unit of the district handling a report.
    responsible_unit => "Đơn vị xử lý", "Responsible unit";
    /// The deadline the unit must meet.
    due_by => "Hạn xử lý", "Due";
    /// Prompt: choose a category.
    choose_category => "Chọn loại sự việc", "Choose a category";
    /// Field: description.
    description => "Mô tả", "Description";
    /// Hint in the description field.
    description_hint => "Sự việc gì, ở đâu, từ bao giờ?", "What, where, since when?";
    /// Section: photos.
    photos => "Ảnh", "Photos";
    /// Button: take a photo with the camera.
    take_photo => "Chụp ảnh", "Take photo";
    /// Button: choose a photo from the gallery.
    choose_photo => "Chọn ảnh có sẵn", "Choose from gallery";
    /// Button: remove a photo.
    remove_photo => "Bỏ ảnh", "Remove photo";
    /// Section: location.
    location => "Vị trí", "Location";
    /// Button: use the phone's location.
    use_my_location => "Dùng vị trí hiện tại", "Use my location";
    /// Waiting for a GPS fix.
    locating => "Đang xác định vị trí…", "Finding your location…";
    /// The photo has a position: offer it.
    use_photo_location => "Ảnh có vị trí chụp. Dùng vị trí này?", "The photo has a location. Use it?";
    /// Button: accept.
    use_it => "Dùng vị trí này", "Use this location";
    /// No location permission or fix: type an address.
    no_location => "Không lấy được vị trí — hãy nhập địa chỉ", "No location — please type an address";
    /// Field: typed address.
    address => "Địa chỉ (thôn, xã)", "Address (hamlet, commune)";
    /// Button: keep as a draft.
    save_draft => "Lưu nháp", "Save draft";
    /// Button: send.
    send => "Gửi", "Send";
    /// Button: delete a draft.
    delete => "Xoá", "Delete";
    /// Button: try a report that needs attention again.
    retry => "Gửi lại", "Send again";
    /// Title of the duplicate check before sending.
    same_problem => "Đây có phải cùng sự việc?", "Is this the same problem?";
    /// Explains the duplicate check.
    same_problem_hint => "Gần đây đã có người phản ánh những sự việc này. Nếu trùng, bạn có thể theo dõi phản ánh đó thay vì gửi mới.", "Others reported these nearby. If yours is the same, you can follow theirs instead of sending a new one.";
    /// Button: send even though similar reports exist.
    send_anyway => "Không trùng, vẫn gửi", "Not the same, send";
    /// Button: cancel.
    cancel => "Huỷ", "Cancel";
    /// Section: status history.
    history => "Diễn biến", "History";
    /// Label of an official reply.
    official_reply => "Trả lời của chính quyền", "Official reply";
    /// Label of the tracking code.
    tracking_code => "Mã theo dõi", "Tracking code";
    /// Button: share the public page.
    share => "Chia sẻ", "Share";
    /// Text shared with the public page's link.
    share_text => "Theo dõi phản ánh của tôi:", "Follow my report:";
    /// Screen title: settings.
    settings => "Cài đặt", "Settings";
    /// Setting: language.
    language => "Ngôn ngữ", "Language";
    /// Setting: server address (testers).
    server_url => "Địa chỉ máy chủ (cho người thử nghiệm)", "Server address (for testers)";
    /// Setting: volunteer mode.
    volunteer_mode => "Chế độ tình nguyện viên (gửi hộ người khác)", "Volunteer mode (file for a neighbour)";
    /// Section in volunteer mode.
    filing_for => "Gửi hộ", "Filing for";
    /// Field: the neighbour's name.
    their_name => "Họ tên người nhờ gửi", "Their name";
    /// Field: the neighbour's phone.
    their_phone => "Số điện thoại người nhờ gửi", "Their phone";
    /// Checkbox: the neighbour agreed.
    their_consent => "Người này đồng ý để chính quyền liên hệ", "They agree to be contacted by the district";
    /// Field: the reporter's own name.
    your_name => "Họ tên của bạn (không bắt buộc)", "Your name (optional)";
    /// Field: the reporter's own phone.
    your_phone => "Số điện thoại của bạn (không bắt buộc)", "Your phone (optional)";
    /// Checkbox: do not show the name to staff.
    anonymous => "Không hiện tên tôi", "Keep my name private";
    /// After sending in volunteer mode.
    hand_over => "Đưa mã này cho người nhờ gửi. Họ có thể theo dõi tại:", "Give this code to your neighbour. They can follow it at:";
    /// Shown while the tracking code is not known yet.
    code_after_sync => "Mã theo dõi sẽ có khi phản ánh được gửi đi.", "The tracking code appears once the report is sent.";
    /// Button: done.
    done => "Xong", "Done";
    /// Button: save settings.
    save => "Lưu", "Save";
    /// Section: rate the district's answer.
    rate_answer => "Bạn có hài lòng với kết quả?", "Are you satisfied with the answer?";
    /// Rating: satisfied.
    score_satisfied => "Hài lòng", "Satisfied";
    /// Rating: acceptable.
    score_acceptable => "Chấp nhận", "Acceptable";
    /// Rating: not satisfied.
    score_not_satisfied => "Không hài lòng", "Not satisfied";
    /// Field: optional comment on a rating.
    rating_comment => "Nhận xét (không bắt buộc)", "Comment (optional)";
    /// Checkbox: a volunteer rates for the neighbour they filed for.
    rate_for_neighbour => "Đánh giá thay người nhờ gửi", "Rating for the neighbour I filed for";
    /// Button: not fixed, reopen.
    reopen => "Chưa được khắc phục — mở lại", "Not fixed — reopen";
    /// Button: contest a rejection.
    contest => "Không đồng ý — đề nghị xem xét lại", "I disagree — ask for a review";
    /// Field: why it is not fixed.
    reopen_reason => "Vì sao chưa được khắc phục?", "Why is it not fixed?";
    /// Button: follow a report ("Quan tâm").
    follow => "Quan tâm", "Follow";
    /// Button: follow and say "I see it too".
    me_too => "Tôi cũng thấy", "I see it too";
    /// Screen: reports the user follows.
    following => "Phản ánh tôi quan tâm", "Reports I follow";
    /// Field: type a tracking code to follow.
    enter_code => "Nhập mã theo dõi (VD: DL-7K3M9Q)", "Enter a tracking code (e.g. DL-7K3M9Q)";
    /// The system notification channel's name.
    notification_channel => "Cập nhật phản ánh", "Report updates";
    /// The channel's description in the system settings.
    notification_channel_description => "Khi chính quyền trả lời hoặc đổi trạng thái phản ánh", "When the district replies to or updates a report";
}

/// The app's language on a device set to `locale` (`vi-VN`, `vi_VN`,
/// `en-US`, `fr`…) until the user picks one: Vietnamese for Vietnamese,
/// English for everything else (a visitor's phone reads English better).
pub fn language_for_locale(locale: &str) -> Lang {
    let primary = locale.trim().split(['-', '_']).next().unwrap_or("");
    if primary.eq_ignore_ascii_case("vi") { Lang::Vi } else { Lang::En }
}

/// "±12 m": a position's accuracy, for display.
pub fn accuracy_label(metres: f64, lang: Lang) -> String {
    let _ = lang;
    format!("±{} m", metres.max(0.0).round() as u64)
}

/// "18.90000, 105.30000 ±8 m": a position for display (five decimals is
/// about a metre; the accuracy only when known).
pub fn location_label(lat: f64, lon: f64, accuracy_m: Option<f64>, lang: Lang) -> String {
    match accuracy_m {
        Some(a) => format!("{lat:.5}, {lon:.5} {}", accuracy_label(a, lang)),
        None => format!("{lat:.5}, {lon:.5}"),
    }
}

/// "350 m", "1,2 km" / "1.2 km": a distance, for display.
pub fn distance_label(metres: f64, lang: Lang) -> String {
    let m = metres.max(0.0);
    if m < 1000.0 {
        return format!("{} m", (m / 10.0).round() as u64 * 10);
    }
    let km = format!("{:.1}", m / 1000.0);
    match lang {
        Lang::Vi => format!("{} km", km.replace('.', ",")),
        Lang::En => format!("{km} km"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_fill_every_label_and_differ_where_they_should() {
        let (vi, en) = (UiTexts::new(Lang::Vi), UiTexts::new(Lang::En));
        assert_eq!(vi.my_reports, "Phản ánh của tôi");
        assert_eq!(en.my_reports, "My reports");
        assert_ne!(vi.send, en.send);
        // Vietnamese text is stored NFC, as everything else in the app.
        let nfc = phananh_protocol::text::clean_text(&vi.their_consent);
        assert_eq!(nfc, vi.their_consent);
    }

    #[test]
    fn device_locales_pick_the_language() {
        for vi in ["vi", "vi-VN", "vi_VN", " VI-vn "] {
            assert_eq!(language_for_locale(vi), Lang::Vi, "{vi}");
        }
        for en in ["en-US", "fr", "", "zh-Hans-CN", "video"] {
            assert_eq!(language_for_locale(en), Lang::En, "{en}");
        }
    }

    #[test]
    fn distances_and_accuracy_read_naturally() {
        assert_eq!(distance_label(0.0, Lang::Vi), "0 m");
        assert_eq!(distance_label(347.0, Lang::En), "350 m");
        assert_eq!(distance_label(1234.0, Lang::Vi), "1,2 km");
        assert_eq!(distance_label(1234.0, Lang::En), "1.2 km");
        assert_eq!(accuracy_label(11.6, Lang::Vi), "±12 m");
        assert_eq!(distance_label(f64::NAN, Lang::En), "0 m");
        assert_eq!(location_label(18.9, 105.3, Some(7.6), Lang::Vi), "18.90000, 105.30000 ±8 m");
        assert_eq!(location_label(-1.0, 2.123456, None, Lang::En), "-1.00000, 2.12346");
    }
}
