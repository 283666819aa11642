from playwright.sync_api import expect


def test_login_page_is_chinese_on_a_phone(live_server, transactional_db, phone_page, shot):
    response = phone_page.goto(f"{live_server.url}/accounts/login/")

    assert response is not None and response.status == 200
    expect(phone_page.locator("body")).to_contain_text("登录")
    shot(phone_page, "login-phone")
