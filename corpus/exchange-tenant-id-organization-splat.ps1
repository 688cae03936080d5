# expect: MI101 MI501
# why: A splatted Exchange sign-in whose -Organization is the Run As tenant id: Exchange wants the *.onmicrosoft.com domain, so the fix is unsafe, reads the domain from an Automation variable, and removes the splat table.
$conn = Get-AutomationConnection -Name AzureRunAsConnection

$exoParams = @{
    CertificateThumbprint = $conn.CertificateThumbprint
    AppId                 = $conn.ApplicationID
    Organization          = $conn.TenantID
    ShowBanner            = $false
}
Connect-ExchangeOnline @exoParams

$forwarding = Get-EXOMailbox -ResultSize Unlimited -Properties ForwardingSmtpAddress |
    Where-Object { $_.ForwardingSmtpAddress }
$forwarding | Select-Object DisplayName, ForwardingSmtpAddress | Format-Table -AutoSize
