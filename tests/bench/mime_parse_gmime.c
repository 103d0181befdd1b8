/* The GMime 3 side of the MIME benchmark (tests/bench/bench_mime.py): the same work as
 * mime_parse_maillab.cpp with GMime's parser: every file parsed, every leaf part's content
 * decoded (text parts to UTF-8 with g_mime_text_part_get_text, others transfer-decoded into a
 * memory stream), every message's Subject and From decoded. Prints the same JSON line.
 * Plain C that also compiles as C++ (tests/bench/CMakeLists.txt builds it so). */
#include <fcntl.h>
#include <gmime/gmime.h>
#include <stdio.h>
#include <time.h>

struct tally {
    size_t messages;
    size_t leaf_parts;
    size_t decoded_bytes;
};

static void walk_object(GMimeObject *object, struct tally *t);

static void walk_message(GMimeMessage *message, struct tally *t) {
    t->messages++;
    const char *subject = g_mime_message_get_subject(message);
    if (subject) t->decoded_bytes += strlen(subject);
    InternetAddressList *from = g_mime_message_get_from(message);
    if (from) {
        char *text = internet_address_list_to_string(from, NULL, FALSE);
        if (text) {
            t->decoded_bytes += strlen(text);
            g_free(text);
        }
    }
    GMimeObject *body = g_mime_message_get_mime_part(message);
    if (body) walk_object(body, t);
}

static void walk_object(GMimeObject *object, struct tally *t) {
    if (GMIME_IS_MULTIPART(object)) {
        GMimeMultipart *multipart = GMIME_MULTIPART(object);
        int count = g_mime_multipart_get_count(multipart);
        for (int i = 0; i < count; i++) walk_object(g_mime_multipart_get_part(multipart, i), t);
    } else if (GMIME_IS_MESSAGE_PART(object)) {
        GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
        if (inner) walk_message(inner, t);
    } else if (GMIME_IS_TEXT_PART(object)) {
        t->leaf_parts++;
        char *text = g_mime_text_part_get_text(GMIME_TEXT_PART(object));
        if (text) {
            t->decoded_bytes += strlen(text);
            g_free(text);
        }
    } else if (GMIME_IS_PART(object)) {
        t->leaf_parts++;
        GMimeDataWrapper *content = g_mime_part_get_content(GMIME_PART(object));
        if (content) {
            GMimeStream *out = g_mime_stream_mem_new();
            g_mime_data_wrapper_write_to_stream(content, out);
            t->decoded_bytes += (size_t)g_mime_stream_length(out);
            g_object_unref(out);
        }
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: mime_parse_gmime FILE...\n");
        return 2;
    }
    g_mime_init();
    struct tally t = {0, 0, 0};
    size_t input_bytes = 0;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 1; i < argc; i++) {
        GError *error = NULL;
        GMimeStream *stream = g_mime_stream_fs_open(argv[i], O_RDONLY, 0, &error);
        if (!stream) {
            fprintf(stderr, "mime_parse_gmime: cannot open %s: %s\n", argv[i],
                    error ? error->message : "?");
            return 1;
        }
        input_bytes += (size_t)g_mime_stream_length(stream);
        GMimeParser *parser = g_mime_parser_new_with_stream(stream);
        GMimeMessage *message = g_mime_parser_construct_message(parser, NULL);
        if (!message) {
            fprintf(stderr, "mime_parse_gmime: %s is not a message\n", argv[i]);
            return 1;
        }
        walk_message(message, &t);
        g_object_unref(message);
        g_object_unref(parser);
        g_object_unref(stream);
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9;
    printf("{\"files\":%d,\"bytes\":%zu,\"messages\":%zu,\"leaf_parts\":%zu,\"decoded_bytes\":%zu,"
           "\"seconds\":%.6f}\n",
           argc - 1, input_bytes, t.messages, t.leaf_parts, t.decoded_bytes, seconds);
    g_mime_shutdown();
    return 0;
}
