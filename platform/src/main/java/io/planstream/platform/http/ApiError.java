package io.planstream.platform.http;

/** The JSON body of every error answer: a stable code for programs and a message for people. */
public record ApiError(int status, String error, String message) {
}
