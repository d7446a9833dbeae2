package co.signalchannel.access;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Public keys from PEM text: {@code PUBLIC KEY} blocks (RSA or EC, as {@code openssl pkey -pubout}
 * writes them) and {@code CERTIFICATE} blocks, read with the JDK alone (nimbus' own PEM reader needs
 * Bouncy Castle).
 */
final class PemKeys {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private PemKeys() {
    }

    static List<JWK> parse(String pem) throws GeneralSecurityException {
        List<JWK> keys = new ArrayList<>();
        Matcher block = BLOCK.matcher(pem);
        while (block.find()) {
            byte[] der = Base64.getMimeDecoder().decode(block.group(2));
            switch (block.group(1)) {
                case "PUBLIC KEY" -> keys.add(jwk(publicKey(der)));
                case "CERTIFICATE" -> keys.add(jwk(CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(der)).getPublicKey()));
                default -> throw new GeneralSecurityException("a " + block.group(1)
                        + " block is not a public key; give PUBLIC KEY or CERTIFICATE blocks");
            }
        }
        if (keys.isEmpty()) {
            throw new GeneralSecurityException("no PUBLIC KEY or CERTIFICATE block");
        }
        return keys;
    }

    private static PublicKey publicKey(byte[] der) throws GeneralSecurityException {
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        try {
            return KeyFactory.getInstance("RSA").generatePublic(spec);
        } catch (GeneralSecurityException notRsa) {
            return KeyFactory.getInstance("EC").generatePublic(spec);
        }
    }

    private static JWK jwk(PublicKey key) throws GeneralSecurityException {
        if (key instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa).build();
        }
        if (key instanceof ECPublicKey ec) {
            Curve curve = Curve.forECParameterSpec(ec.getParams());
            if (curve == null) {
                throw new GeneralSecurityException("an EC key on a curve JWS does not use");
            }
            return new ECKey.Builder(curve, ec).build();
        }
        throw new GeneralSecurityException("a " + key.getAlgorithm() + " key; give RSA or EC keys");
    }
}
